"""Word documents (python-docx): the drafted annual report."""
