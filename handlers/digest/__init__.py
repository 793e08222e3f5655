"""The digest: scheduled posts and reminders, /rekap and /jadwal."""
