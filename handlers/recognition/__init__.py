"""Step 8 (表彰激励) and step 7's boards (积分参赛): /rank."""
