"""Durable jobs: the database holds what is due; APScheduler (through PTB's JobQueue)
only wakes the ticker and the calendar."""
