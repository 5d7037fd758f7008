""".xlsx workbooks: the fast reader (calamine), the Kết quả writer inside the package, openpyxl
for the workbooks the worker creates."""
