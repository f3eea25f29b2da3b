"""The questionnaires shipped with cchc, each with its source, and :func:`ensure_templates` that installs them.

The content comes from the project's notes on the public sources (``domain`` notes §1.3, §2.2–2.4, §2.7;
``formats`` notes §4, §5.2, §6.2); each template's ``source_note`` names the documents behind it and says plainly
which parts were not checked against the official text. The templates are shared (no owner), published, and a
province edits its own copy (:func:`cchc.surveys.services.questionnaire_copy`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.lib.types import ActorOrSystem

from .models import QuestionKind, Questionnaire, QuestionnaireKind
from .services import questionnaire_build
from .specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec

K = QuestionKind


def _choices(*labels: str) -> list[ChoiceSpec]:
    return [ChoiceSpec(value=str(number), label=label) for number, label in enumerate(labels, start=1)]


def _satisfaction(prefix: str, texts: list[str], *, start: int = 1, required: bool = True) -> list[QuestionSpec]:
    return [
        QuestionSpec(code=f"{prefix}{number:02d}", text=text, kind=K.SATISFACTION5, required=required)
        for number, text in enumerate(texts, start=start)
    ]


# ---------------------------------------------------------------------------
# SIPAS, QĐ 2640/QĐ-BNV: 5 elements, 22 criteria


SIPAS_2640_ELEMENTS: list[tuple[str, list[str]]] = [
    (
        "Tiếp cận dịch vụ hành chính công",
        [
            "Nơi ngồi chờ có đủ chỗ ngồi",
            "Trang thiết bị phục vụ người dân, tổ chức đầy đủ",
            "Trang thiết bị hiện đại",
            "Trang thiết bị dễ sử dụng",
        ],
    ),
    (
        "Thủ tục hành chính",
        [
            "Thủ tục hành chính được niêm yết công khai đầy đủ",
            "Thủ tục hành chính được niêm yết công khai chính xác",
            "Thành phần hồ sơ phải nộp đúng quy định",
            "Phí/lệ phí phải nộp đúng quy định",
            "Thời hạn giải quyết (từ ngày tiếp nhận đến ngày trả kết quả) đúng quy định",
        ],
    ),
    (
        "Công chức trực tiếp giải quyết công việc",
        [
            "Công chức có thái độ giao tiếp lịch sự",
            "Công chức chú ý lắng nghe ý kiến của người dân, tổ chức",
            "Công chức trả lời, giải thích đầy đủ các ý kiến",
            "Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo",
            "Công chức hướng dẫn kê khai hồ sơ dễ hiểu",
            "Công chức tuân thủ đúng quy định trong giải quyết công việc",
        ],
    ),
    (
        "Kết quả cung ứng dịch vụ hành chính công",
        [
            "Kết quả đúng quy định",
            "Kết quả có thông tin đầy đủ",
            "Kết quả có thông tin chính xác",
        ],
    ),
    (
        "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
        [
            "Cơ quan có bố trí hình thức tiếp nhận góp ý, phản ánh, kiến nghị",
            "Người dân, tổ chức dễ dàng thực hiện góp ý, phản ánh, kiến nghị",
            "Cơ quan tiếp nhận, xử lý tích cực các góp ý, phản ánh, kiến nghị",
            "Cơ quan thông báo kịp thời kết quả xử lý góp ý, phản ánh, kiến nghị",
        ],
    ),
]


def sipas_2640() -> QuestionnaireSpec:
    sections = []
    number = 1
    for title, texts in SIPAS_2640_ELEMENTS:
        sections.append(SectionSpec(title=title, questions=_satisfaction("tc", texts, start=number)))
        number += len(texts)
    sections.append(
        SectionSpec(
            title="Ý kiến khác",
            questions=[QuestionSpec(code="y_kien", text="Ý kiến khác của ông/bà (nếu có)", kind=K.LONG_TEXT)],
        )
    )
    return QuestionnaireSpec(
        code="sipas-2640",
        title="Đo lường sự hài lòng về sự phục vụ hành chính (mô hình SIPAS: 5 yếu tố, 22 tiêu chí)",
        kind=QuestionnaireKind.SIPAS,
        source_note=(
            "Nguồn: Quyết định 2640/QĐ-BNV ngày 10/10/2017 của Bộ Nội vụ (Đề án đo lường sự hài lòng giai đoạn "
            "2017–2020). Năm yếu tố đã đối chiếu với nguồn công bố (luatvietnam.vn, vietnamplus.vn). Danh sách 22 "
            "tiêu chí được dựng lại từ các bài tóm tắt (thuvienphapluat.vn, luatvietnam.vn), mới xác nhận được một "
            "phần; CHƯA đối chiếu với phụ lục của Quyết định 2640 — hãy kiểm tra trước khi dùng làm căn cứ chính "
            "thức. Thang trả lời 5 mức từ “Rất không hài lòng” đến “Rất hài lòng”."
        ),
        sections=sections,
    )


# ---------------------------------------------------------------------------
# SIPAS household questionnaire, 2022+ design


LEVEL3_INTEREST = _choices("Không quan tâm", "Quan tâm một chút", "Rất quan tâm")
LEVEL3_AMOUNT = _choices("Không có", "Một số", "Nhiều")
CHANNEL3 = _choices("Trực tiếp", "Trực tuyến", "Cả hai")
PRIORITY3 = _choices("Rất nhiều", "Nhiều", "Ít")
POLICIES = [
    "Phát triển kinh tế - xã hội",
    "Khám, chữa bệnh",
    "Giáo dục phổ thông",
    "Trật tự, an toàn xã hội",
    "Giao thông đường bộ",
    "Điện sinh hoạt",
    "Nước sinh hoạt",
    "An sinh xã hội",
]


def household_2022() -> QuestionnaireSpec:
    personal = [
        QuestionSpec(code="a_gioi_tinh", text="Giới tính", kind=K.SINGLE, choices=_choices("Nam", "Nữ")),
        QuestionSpec(
            code="a_do_tuoi",
            text="Độ tuổi",
            kind=K.SINGLE,
            choices=_choices("18–25", "25–34", "35–49", "50–60", "Trên 60"),
        ),
        QuestionSpec(code="a_dan_toc", text="Dân tộc", kind=K.SINGLE, choices=_choices("Kinh", "Khác")),
        QuestionSpec(
            code="a_hoc_van",
            text="Trình độ học vấn",
            kind=K.SINGLE,
            choices=_choices("Tiểu học", "THCS", "THPT", "Nghề, trung cấp, cao đẳng", "Đại học trở lên", "Khác"),
        ),
        QuestionSpec(
            code="a_nghe_nghiep",
            text="Nghề nghiệp",
            kind=K.SINGLE,
            choices=_choices("Nghỉ hưu", "Không đi làm", "Tự do", "Sinh viên", "Khu vực tư", "Khu vực công", "Khác"),
        ),
        QuestionSpec(code="a_do_thi", text="Nơi sinh sống", kind=K.SINGLE, choices=_choices("Đô thị", "Nông thôn")),
        QuestionSpec(
            code="a_vung", text="Vùng sinh sống", kind=K.SINGLE, choices=_choices("Miền núi", "Đồng bằng", "Hải đảo")
        ),
    ]
    perception = [
        QuestionSpec(
            code=f"c1_{number}",
            text=f"Câu 1. Mức độ quan tâm của ông/bà đến chính sách: {policy}",
            kind=K.SINGLE,
            choices=LEVEL3_INTEREST,
        )
        for number, policy in enumerate(POLICIES, start=1)
    ]
    perception += [
        QuestionSpec(
            code="c2_kenh",
            text="Câu 2. Ông/bà theo dõi thông tin về chính sách qua những kênh nào?",
            kind=K.MULTIPLE,
            choices=_choices(
                "Loa phát thanh xã",
                "Họp, sinh hoạt khu dân cư",
                "Cơ quan nhà nước, công chức",
                "Người thân, bạn bè",
                "Đài, tivi, báo chí",
                "Internet",
                "Khác",
            ),
        ),
        QuestionSpec(
            code="c3_gop_y",
            text="Câu 3. Khả năng ông/bà tham gia góp ý chính sách",
            kind=K.SINGLE,
            choices=_choices(
                "Không thể, vì không biết thông tin",
                "Không thể, vì không muốn",
                "Có thể, nếu biết thông tin",
                "Có thể, nếu được tạo điều kiện",
                "Chắc chắn tham gia",
            ),
        ),
        QuestionSpec(
            code="c4_phien_ha",
            text="Câu 4. Tình trạng công chức gây phiền hà, sách nhiễu",
            kind=K.SINGLE,
            choices=LEVEL3_AMOUNT,
        ),
        QuestionSpec(
            code="c5_chi_phi",
            text="Câu 5. Tình trạng người dân phải đưa tiền ngoài quy định",
            kind=K.SINGLE,
            choices=LEVEL3_AMOUNT,
        ),
        QuestionSpec(
            code="c6_nop_ho_so",
            text="Câu 6. Hình thức nộp hồ sơ, nhận kết quả phù hợp với ông/bà",
            kind=K.SINGLE,
            choices=CHANNEL3,
        ),
        QuestionSpec(
            code="c7_thong_tin",
            text="Câu 7. Hình thức cung cấp thông tin chính sách phù hợp với ông/bà",
            kind=K.SINGLE,
            choices=CHANNEL3,
        ),
    ]
    experiences = [
        "Có người thân đang học phổ thông",
        "Đã khám, chữa bệnh tại cơ sở y tế công lập",
        "Đã giải quyết công việc với cơ quan nhà nước",
        "Đã giải quyết thủ tục hành chính",
        "Đã phản ánh, kiến nghị",
        "Đã góp ý về chính sách",
        "Đã nhận phản hồi kết quả về chính sách, thủ tục hành chính",
    ]
    perception += [
        QuestionSpec(code=f"c8_{number}", text=f"Câu 8. Trải nghiệm: {text}", kind=K.YES_NO)
        for number, text in enumerate(experiences, start=1)
    ]
    policy_parts = [
        (
            "Câu 9 – I.A. Trách nhiệm giải trình",
            ["Cung cấp thông tin về chính sách (nội dung 1)", "Cung cấp thông tin về chính sách (nội dung 2)"],
        ),
        (
            "Câu 9 – I.B. Sự tham gia của người dân",
            ["Tham vấn, lấy ý kiến người dân (nội dung 1)", "Tham vấn, lấy ý kiến người dân (nội dung 2)"],
        ),
        ("Câu 9 – I.C. Chất lượng chính sách", [f"Sự phù hợp của chính sách: {policy}" for policy in POLICIES]),
        (
            "Câu 9 – I.D. Kết quả, tác động của chính sách",
            ["Tác động đến kinh tế gia đình", "Tác động đến chất lượng cuộc sống"],
        ),
    ]
    service_parts = [
        (
            "Câu 9 – II.I. Tiếp cận dịch vụ",
            [
                "Thông tin về giải quyết thủ tục hành chính",
                "Biển hiệu, hướng dẫn",
                "Trụ sở sạch sẽ",
                "Trang thiết bị",
            ],
        ),
        (
            "Câu 9 – II.II. Thủ tục hành chính",
            [
                "Thủ tục hành chính được niêm yết công khai",
                "Thành phần hồ sơ đúng quy định",
                "Phí, lệ phí đúng quy định",
                "Thời hạn giải quyết đúng quy định",
            ],
        ),
        (
            "Câu 9 – II.III. Công chức",
            [
                "Công chức lịch sự, tôn trọng",
                "Công chức trả lời kịp thời, đầy đủ",
                "Công chức hướng dẫn dễ hiểu, một lần",
                "Công chức tuân thủ quy định",
                "Công chức tận tình",
            ],
        ),
        (
            "Câu 9 – II.IV. Kết quả",
            ["Kết quả đúng hẹn", "Kết quả có thông tin đầy đủ, chính xác", "Kết quả công bằng"],
        ),
        (
            "Câu 9 – II.V. Tiếp nhận, xử lý phản ánh, kiến nghị",
            [
                "Cơ quan bố trí hình thức tiếp nhận phản ánh, kiến nghị",
                "Phản ánh, kiến nghị được xử lý đúng quy định",
                "Kết quả xử lý được thông báo kịp thời",
            ],
        ),
    ]
    sections = [
        SectionSpec(title="Phần A – Thông tin về người trả lời", questions=personal),
        SectionSpec(title="Phần B – Nhận định, trải nghiệm (Câu 1–8)", questions=perception),
    ]
    number = 1
    for title, texts in policy_parts + service_parts:
        sections.append(SectionSpec(title=title, questions=_satisfaction("c9_", texts, start=number)))
        number += len(texts)
    wishes = [
        "Thông tin",
        "Trụ sở, trang thiết bị",
        "Năng lực cán bộ, công chức, viên chức",
        "Thái độ phục vụ",
        "Ứng dụng công nghệ thông tin, chuyển đổi số",
        "Quan tâm đến nhu cầu của người dân",
        "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
        "Chất lượng chính sách",
        "Chất lượng dịch vụ hành chính công",
    ]
    expectations = [
        QuestionSpec(
            code=f"c10_{number}",
            text=f"Câu 10. Mức độ mong muốn ưu tiên cải thiện: {text}",
            kind=K.SINGLE,
            choices=PRIORITY3,
        )
        for number, text in enumerate(wishes, start=1)
    ]
    expectations.append(QuestionSpec(code="y_kien", text="Ý kiến khác của ông/bà (nếu có)", kind=K.LONG_TEXT))
    sections.append(SectionSpec(title="Câu 10 – Nhu cầu, mong đợi", questions=expectations))
    return QuestionnaireSpec(
        code="sipas-ho-gia-dinh-2022",
        title="Phiếu khảo sát sự hài lòng của người dân (SIPAS, thiết kế từ năm 2022: chính sách và dịch vụ)",
        kind=QuestionnaireKind.HOUSEHOLD,
        source_note=(
            "Nguồn: bản chép lại phiếu khảo sát của Bộ Nội vụ (thiết kế từ năm 2022) trong một ứng dụng công khai "
            "của bên thứ ba — KHÔNG phải bản PDF chính thức; phương pháp giai đoạn 2023–2026 là Quyết định "
            "1001/QĐ-BNV ngày 11/12/2023, phụ lục phiếu chưa được đối chiếu. Đã sửa các lỗi rõ ràng của bản chép: "
            "bỏ phương án thừa ở Câu 5, đánh lại giá trị trùng ở Câu 2. Bỏ họ tên, email, điện thoại vì khảo sát "
            "chính thức không ghi danh. Nội dung chi tiết các mục 1–4 của Câu 9 (trách nhiệm giải trình, sự tham gia) "
            "chưa có nguyên văn, hãy chỉnh lại theo phiếu chính thức. Câu 10 có 9 nội dung trong bản chép, trong khi "
            "chỉ số SIPAS 2024 công bố 10 chỉ số về nhu cầu, mong đợi. Thang hài lòng 5 mức."
        ),
        sections=sections,
    )


# ---------------------------------------------------------------------------
# Per-dossier evaluation: 9 indicators, 0/1/2 points


DOSSIER_INDICATORS: list[tuple[str, str]] = [
    (
        "Tổng thời gian giải quyết thủ tục hành chính so với thời gian cho phép",
        "Điểm 2: ngắn hơn; điểm 1: bằng; điểm 0: dài hơn thời gian cho phép.",
    ),
    (
        "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết (kể cả phối hợp) so với quy định",
        "Điểm 2: ngắn hơn; điểm 1: bằng; điểm 0: dài hơn quy định.",
    ),
    (
        "Số lần phải liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ (kể cả trực tuyến)",
        "Điểm 2: không phải liên hệ lần nào; điểm 1: 1 lần; điểm 0: hơn 1 lần (trừ lỗi của người nộp).",
    ),
    ("Số lượng cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ", ""),
    (
        "Thực hiện tổ chức tiếp nhận hồ sơ, giải quyết, trả kết quả tại Bộ phận Một cửa",
        "Ngưỡng: 20% thủ tục cấp tỉnh, bộ; 50% cấp huyện; 100% cấp xã.",
    ),
    (
        "Công khai các thủ tục hành chính",
        "Điểm 2: cả niêm yết và điện tử; điểm 1: một trong hai; điểm 0: không đầy đủ.",
    ),
    ("Thái độ của cán bộ, công chức, viên chức khi hướng dẫn, tiếp nhận, giải quyết hồ sơ", ""),
    (
        "Tiếp thu, giải trình đối với các ý kiến phản ánh, kiến nghị",
        "Điểm 2: 100% đúng hạn; điểm 1: từ 90%; điểm 0: dưới 90% hoặc kéo dài.",
    ),
    (
        "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến",
        "Điểm 2: từ 20% thủ tục mức 3–4 và từ 30% hồ sơ trực tuyến; điểm 1: 15–dưới 30%; điểm 0: dưới 15%.",
    ),
]


def dossier_evaluation() -> QuestionnaireSpec:
    questions = [
        QuestionSpec(
            code="ma_ho_so",
            text="Mã hồ sơ",
            kind=K.SHORT_TEXT,
            required=True,
            hint="Mã ghi trên giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
        )
    ]
    questions += [
        QuestionSpec(code=f"cs{number}", text=f"Chỉ số {number}. {text}", kind=K.POINTS012, required=True, hint=hint)
        for number, (text, hint) in enumerate(DOSSIER_INDICATORS, start=1)
    ]
    return QuestionnaireSpec(
        code="danh-gia-ho-so-9-chi-so",
        title="Đánh giá việc giải quyết thủ tục hành chính của một hồ sơ (9 chỉ số, 0/1/2 điểm)",
        kind=QuestionnaireKind.DOSSIER_EVALUATION,
        source_note=(
            "Nguồn: bộ tiêu chí đánh giá trong mã nguồn một hệ thống một cửa đang vận hành (Tân Dân/Thanh Hóa, "
            "tệp TieuChiDanhGiaHaiLong.json); cách diễn đạt khớp 9 chỉ số theo Nghị định 61/2018/NĐ-CP và Thông "
            "tư 01/2018/TT-VPCP, nhưng điều khoản cụ thể CHƯA được đối chiếu. Mỗi chỉ số có 3 mức: 2, 1, 0 điểm; "
            "tối đa 18 điểm. Các mức xếp loại (trên 15 xuất sắc …) chỉ thấy trong phần mềm bên thứ ba, chưa dùng. "
            "Hai câu riêng của hệ thống đó (mức độ thuận tiện, đánh giá tổng thể) không đưa vào."
        ),
        sections=[SectionSpec(title="Đánh giá việc giải quyết hồ sơ", questions=questions)],
    )


# ---------------------------------------------------------------------------
# Counter exit survey


def counter_exit() -> QuestionnaireSpec:
    questions = [
        QuestionSpec(
            code="hai_long_chung",
            text="Nhìn chung, ông/bà hài lòng với sự phục vụ hôm nay ở mức nào?",
            kind=K.SATISFACTION5,
            required=True,
        ),
        QuestionSpec(
            code="thai_do",
            text="Thái độ của công chức tiếp nhận hồ sơ",
            kind=K.SATISFACTION5,
            required=True,
        ),
        QuestionSpec(
            code="huong_dan_mot_lan",
            text="Ông/bà được hướng dẫn đầy đủ ngay từ lần đầu (không phải bổ sung nhiều lần)?",
            kind=K.YES_NO,
            required=True,
        ),
        QuestionSpec(
            code="chi_phi_ngoai",
            text="Ông/bà có bị yêu cầu nộp thêm giấy tờ hoặc chi phí ngoài quy định không?",
            kind=K.YES_NO,
            required=True,
        ),
        QuestionSpec(
            code="gop_y",
            text="Điều gì cần cải thiện? (không bắt buộc)",
            kind=K.LONG_TEXT,
        ),
        QuestionSpec(
            code="ma_ho_so",
            text="Mã hồ sơ (không bắt buộc)",
            kind=K.SHORT_TEXT,
            hint="Ghi mã hồ sơ để mỗi hồ sơ chỉ được đánh giá một lần.",
        ),
    ]
    return QuestionnaireSpec(
        code="khao-sat-nhanh-tai-quay",
        title="Khảo sát nhanh tại Bộ phận Một cửa (khoảng 30 giây)",
        kind=QuestionnaireKind.COUNTER_EXIT,
        source_note=(
            "Nguồn: phiếu do cchc soạn để khảo sát thường xuyên tại Bộ phận Một cửa, dựa trên các yếu tố "
            "của SIPAS (Quyết định 2640/QĐ-BNV; thang hài lòng 5 mức) và các tiêu chí đánh giá tại quầy theo "
            "Nghị định 61/2018/NĐ-CP, "
            "Thông tư 01/2018/TT-VPCP (thái độ công chức, số lần liên hệ). Không phải mẫu phiếu ban hành chính thức; "
            "tỉnh có thể sửa theo quy định của mình."
        ),
        sections=[SectionSpec(title="Đánh giá tại quầy", questions=questions)],
    )


# ---------------------------------------------------------------------------
# Officials' sociological survey for the PAR INDEX


RESPONDENT_GROUPS = [
    "Đại biểu Hội đồng nhân dân tỉnh; lãnh đạo Ủy ban MTTQ Việt Nam tỉnh",
    "Lãnh đạo sở, ban, ngành",
    "Lãnh đạo HĐND, UBND cấp huyện (trước ngày 01/7/2025)",
    "Trưởng phòng chuyên môn cấp huyện (trước ngày 01/7/2025)",
    "Lãnh đạo HĐND, UBND cấp xã",
    "Khác",
]
PAR_AREAS = [
    "Công tác chỉ đạo, điều hành cải cách hành chính",
    "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy hành chính nhà nước",
    "Xây dựng, nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
    "Cải cách tài chính công",
    "Hiện đại hóa nền hành chính (chính quyền điện tử, chuyển đổi số)",
    "Thực hiện cơ chế một cửa, một cửa liên thông",
]
AD_LABELS = [
    ChoiceSpec("A", "A. Tốt"),
    ChoiceSpec("B", "B. Khá"),
    ChoiceSpec("C", "C. Trung bình"),
    ChoiceSpec("D", "D. Kém"),
]


def officials() -> QuestionnaireSpec:
    group = QuestionSpec(
        code="nhom_doi_tuong",
        text="Ông/bà thuộc nhóm đối tượng nào?",
        kind=K.SINGLE,
        required=True,
        choices=_choices(*RESPONDENT_GROUPS),
    )
    areas = [
        QuestionSpec(
            code=f"lv{number}",
            text=f"Ông/bà đánh giá thế nào về kết quả lĩnh vực: {area}?",
            kind=K.OPTIONS_AD,
            required=True,
            choices=list(AD_LABELS),
        )
        for number, area in enumerate(PAR_AREAS, start=1)
    ]
    areas.append(QuestionSpec(code="y_kien", text="Ý kiến, đề xuất khác (nếu có)", kind=K.LONG_TEXT))
    return QuestionnaireSpec(
        code="dieu-tra-xa-hoi-hoc-cchc",
        title="Phiếu điều tra xã hội học về kết quả cải cách hành chính (cán bộ, công chức, đại biểu)",
        kind=QuestionnaireKind.OFFICIALS,
        source_note=(
            "Nguồn: nhóm đối tượng theo một ứng dụng cấp tỉnh của bên thứ ba (Yên Bái: đại biểu HĐND tỉnh, "
            "lãnh đạo MTTQ, lãnh đạo sở, lãnh đạo cấp huyện, trưởng phòng cấp huyện, lãnh đạo cấp xã) — chưa đối "
            "chiếu văn bản chính "
            "thức. Các câu hỏi theo 8 lĩnh vực của Chỉ số CCHC cấp tỉnh từ năm 2022 (theo tin công bố); nội dung và "
            "số câu của phiếu chính thức (Quyết định 876/QĐ-BNV, 892/QĐ-BNV) CHƯA có, hãy thay bằng câu hỏi của "
            "phiếu tỉnh dùng. Phương án A–D; nhãn các mức và quy đổi điểm (mặc định A/B/C/D = 100/60/20/0% điểm của "
            "câu) là giá trị minh họa, cần chỉnh theo hướng dẫn của tỉnh."
        ),
        sections=[
            SectionSpec(title="Thông tin về người trả lời", questions=[group]),
            SectionSpec(title="Đánh giá kết quả cải cách hành chính theo lĩnh vực", questions=areas),
        ],
    )


# Code of each template → the function that writes its content.
TEMPLATES: dict[str, Callable[[], QuestionnaireSpec]] = {
    "sipas-2640": sipas_2640,
    "sipas-ho-gia-dinh-2022": household_2022,
    "danh-gia-ho-so-9-chi-so": dossier_evaluation,
    "khao-sat-nhanh-tai-quay": counter_exit,
    "dieu-tra-xa-hoi-hoc-cchc": officials,
}


@transaction.atomic
def ensure_templates(*, actor: ActorOrSystem = None) -> list[Questionnaire]:
    """Install the shipped templates that are missing (by code), published and shared; return those created.

    Running it again creates nothing: a template already there (even edited or closed) is left as it is.
    """
    existing = set(Questionnaire.objects.filter(code__in=TEMPLATES).values_list("code", flat=True))
    created = []
    for code, build in TEMPLATES.items():
        if code in existing:
            continue
        spec = build()
        created.append(
            questionnaire_build(
                actor=actor,
                spec=spec,
                owner=None,
                is_template=True,
                publish=True,
                reason=_("Phiếu mẫu kèm theo hệ thống"),
            )
        )
    return created
