"""The live dashboard (issue 21): /dasbor, the sign-in, and the page served beside the bot."""
