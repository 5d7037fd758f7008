"""The sample province's fixed data: its units, who establishes their models, the places, kinds
of model, targets, people and criteria the demo draws from, and the units whose decisions it
records."""

from __future__ import annotations

# Local government has two levels since 01/07/2025: the province, and its communes, wards and
# special zones (xã, phường, đặc khu); district-level units are gone.
UNITS = [  # ID, name, level, parent, coordinators' mailbox (None: no coordinator yet)
    ("CA-PT", "Công an phường Phan Thiết", "Phường", "Công an tỉnh", "pv05.phanthiet"),
    ("CA-HTB", "Công an xã Hàm Thuận Bắc", "Xã", "Công an tỉnh", "ctxd.htb"),
    ("CA-HL", "Công an xã Hàm Liêm", "Xã", "Công an tỉnh", "ca.hamliem"),
    ("CA-DL", "Công an phường Đức Long", "Phường", "Công an tỉnh", "ca.duclong"),
    ("CA-LG", "Công an phường La Gi", "Phường", "Công an tỉnh", "ca.lagi"),
    ("CA-TP", "Công an xã Tuy Phong", "Xã", "Công an tỉnh", "ca.tuyphong"),
    ("CA-PQ", "Công an đặc khu Phú Quý", "Đặc khu", "Công an tỉnh", None),
    ("MT-BB", "Ủy ban MTTQ Việt Nam xã Bắc Bình", "Xã", "Ủy ban MTTQ tỉnh", "mttq.bacbinh"),
    ("HPN", "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh", "", "hlhpn"),
    ("TD", "Tỉnh đoàn Bình Thuận", "Tỉnh", "", "tinhdoan"),
    ("SGD", "Sở Giáo dục và Đào tạo", "Tỉnh", "", "sgddt.vp"),
    ("HND-DL", "Hội Nông dân xã Đức Linh", "Xã", "Hội Nông dân tỉnh", "hnd.duclinh"),
]
# Who establishes a unit's models (III.1.d: the chairman of the people's committee of the same
# level, or the head of the agency), and so decides their ratings (III.2.c); and how its
# decisions are numbered.
ESTABLISHING = {
    "CA-PT": ("UBND phường Phan Thiết", "QĐ-UBND"),
    "CA-HTB": ("UBND xã Hàm Thuận Bắc", "QĐ-UBND"),
    "CA-HL": ("UBND xã Hàm Liêm", "QĐ-UBND"),
    "CA-DL": ("UBND phường Đức Long", "QĐ-UBND"),
    "CA-LG": ("UBND phường La Gi", "QĐ-UBND"),
    "CA-TP": ("UBND xã Tuy Phong", "QĐ-UBND"),
    "CA-PQ": ("UBND đặc khu Phú Quý", "QĐ-UBND"),
    "MT-BB": ("UBND xã Bắc Bình", "QĐ-UBND"),
    "HPN": ("Ban Thường vụ Hội LHPN tỉnh", "QĐ-HLHPN"),
    "TD": ("Ban Thường vụ Tỉnh đoàn", "QĐ-TĐTN"),
    "SGD": ("Sở Giáo dục và Đào tạo", "QĐ-SGDĐT"),
    "HND-DL": ("UBND xã Đức Linh", "QĐ-UBND"),
}
MISSING_FILE = "CA-TP"  # its workbook is listed in the registry but was never sent
AREAS = [
    "thôn 1",
    "thôn 2",
    "thôn 3",
    "khu phố 4",
    "khu phố 5",
    "khu phố Lạc Đạo",
    "thôn Dân Hòa",
    "xóm Cát",
    "khu dân cư Bình Hưng",
    "chợ trung tâm",
    "bến cá Phú Hài",
]
MODELS = [
    ("Tổ tự quản về an ninh trật tự", "Quốc phòng - an ninh"),
    ("Camera an ninh khu dân cư", "Quốc phòng - an ninh"),
    ("Dòng họ không có người vi phạm pháp luật", "Văn hóa - xã hội"),
    ("Tổ liên gia tự quản", "Quốc phòng - an ninh"),
    ("Bến thuyền an toàn về an ninh trật tự", "Kinh tế"),
    ("Chợ an toàn về an ninh trật tự", "Kinh tế"),
    ("Trường học an toàn, không có tệ nạn xã hội", "Văn hóa - xã hội"),
    ("Doanh nghiệp an toàn về an ninh trật tự", "Kinh tế"),
    ("Câu lạc bộ phòng, chống ma túy", "Văn hóa - xã hội"),
    ("Tổ hòa giải ở cơ sở", "Xây dựng hệ thống chính trị"),
    ("Nhóm Zalo an ninh trật tự khu dân cư", "Quốc phòng - an ninh"),
    ("Phụ nữ tham gia giữ gìn an ninh trật tự", "Xây dựng hệ thống chính trị"),
    ("Đội thanh niên xung kích tuần tra", "Quốc phòng - an ninh"),
    ("Tàu thuyền an toàn trên biển", "Kinh tế"),
]
TARGETS = [
    ("Tổ chức tuần tra, canh gác", "buổi", 48),
    ("Tuyên truyền pháp luật", "buổi", 12),
    ("Hòa giải thành các vụ mâu thuẫn", "vụ", 10),
    ("Hộ ký cam kết không vi phạm", "hộ", 120),
    ("Cung cấp tin có giá trị cho Công an", "tin", 6),
    ("Lắp đặt camera", "mắt", 20),
]
PEOPLE = [
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Võ Thị Hoa",
    "Đặng Văn Hùng",
    "Bùi Thị Lan",
    "Đỗ Văn Minh",
    "Huỳnh Thị Ngọc",
]
CRITERIA = [
    "Có đăng ký xây dựng điển hình",
    "Kết quả bảo đảm an ninh trật tự đạt hiệu quả cao",
    "Được cấp ủy, chính quyền, Nhân dân ghi nhận",
    "Được khen thưởng trong năm",
    "Cung cấp nhiều thông tin có giá trị",
    "Tham gia hiệu quả xây dựng Phong trào",
    "Không có vi phạm trong năm",
    "Hoàn thành tiêu chí riêng của điển hình",
]


# Units whose establishing bodies decided the ratings of their rated models (III.2.c: between
# 01/11 and 10/11) and recorded them in the tab Đánh giá: the day of November each decided.
DECIDING = {"CA-PT": 6, "HPN": 8}
