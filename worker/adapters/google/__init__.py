"""Google Sheets and Drive (gspread, google-auth)."""
