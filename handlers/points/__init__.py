"""handlers.points: the 公益银行 (points bank) in the chat."""
