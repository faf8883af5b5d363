"""The points bank (公益银行): the volunteer's passbook and summary, transfers, and a
coordinator's adjustment of a volunteer's points."""
