"""Step 8 of the loop (表彰激励) and its step 7 boards (积分参赛): leaderboards by period,
unit and team; team totals."""
