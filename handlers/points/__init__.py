"""The points bank (公益银行) in the chat: the volunteer's passbook and summary,
transfers, a coordinator's adjustment of a volunteer's points, and the rewards
catalogue with its redemptions (公益兑换)."""
