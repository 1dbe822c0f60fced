"""Every word symopt writes for a reader, by language: one entry per language, holding all of it.

An entry has the sheet's words (headings, notes, the number policy: :mod:`symopt.sheet`), the
optimizer card's (:mod:`symopt.card`), the exam's (:mod:`symopt.exam.variants`, :mod:`symopt.exam.papers`),
and the words the checker's reader takes for an exercise or an epoch in that language
(:mod:`symopt.check.document`: students write "Problem 2", "Câu 2", "Step 3", "Vòng 3").  The spec's
``lang``, the CLI's ``--lang`` and the reader take their languages from :data:`TEXT`, so adding a
language is adding its entry (tests/test_labels.py adds one and renders, checks and grades in it).
What an optimizer writes on a sheet (its notes, in :mod:`symopt.optimizers`) is kept with the
optimizer, per language, and falls back to English (:func:`in_language`).
"""

from __future__ import annotations

DEFAULT_TITLE = "Optimization Algorithms in Deep Learning"

TEXT: dict[str, dict[str, dict]] = {
    "en": {
        "sheet": {
            "exercise": "Exercise {n}: {name}",
            "epoch": "Epoch {k}:",
            "diverged": "The run diverges at epoch {k}: {reason}. The remaining epochs are not computed.",
            "bound": "${line} = {value}$ is past $10^{{12}}$",
            "limit": "${line}$ is past $10^{{300}}$",
            "overflow": "${line}$ is not finite (an overflow)",
            "departs": "From epoch {k} on, the rounded values carried by hand are farther from the run without rounding than rounding explains: ${line} = {carried}$ here, ${exact}$ without rounding. More decimals or significant figures keep the run faithful.",
            "kink": "$f$ has no derivative where $|\\cdot|$ is 0; there $\\frac{d|x|}{dx}$ is taken as $\\operatorname{sign}(0) = 0$.",
            "kink_frameworks": "PyTorch's autograd gives 0 there too; jax.grad gives 1.",
            "frameworks": "{note} In frameworks: {frameworks}",
            "vector": "In the formulas ${p} = ({names})$: each formula holds for each variable.",
            "vector_params": "In the formulas ${p} = ({names})$: each formula holds for each parameter.",
            "exact": "Numbers: exact values; a value that does not end within {places} is shown rounded ($\\approx$) to {rounding}.",
            "precision": "Numbers: values are shown to {digits} significant digits ($\\approx$ where rounded); they are computed with more, so every digit shown is right.",
            "hand": "Numbers: every value is rounded to {rounding}, and the rounded value is carried into the next lines{keep}.",
            "sig": "Numbers: every value is rounded to {sig} significant figures, and the rounded value is carried into the next lines{keep}.",
            "decimals": "{d} decimal places, but never to fewer than {s} significant figures",
            "places": "{d} decimal places",
            "keep": "; a value that ends within {k} decimal places is kept whole",
            "padded": " Rounded values keep their trailing zeros.",
            "comma": " Decimal commas: $0{,}5$ is one half.",
            # the tables (the spec's table): a trajectory after each exercise, and the comparison
            "trajectory": "Trajectory (epoch 0 is the start):",
            "epoch_column": "Epoch",
            "every": "One row every {k} epochs, and the last epoch ({last}).",
            "no_value": "—: $f$ has no value there, or is past $10^{300}$.",
            "comparison": "Comparison of the optimizers",
            "compare_columns": ["Exercise", "Optimizer", "Epochs", "Epochs to reach", "Final $f$"],
            "reach": ("Epochs to reach: the first epoch $t$ (0 is the start) with ${f} \\le {level}$, that is within the "
                      "tolerance ${tolerance}$ of ${minimum}$, taken as the minimum of $f$; —: not reached in the epochs worked."),
            "diverges": "{k} (diverges)",
            # dataset problems (symopt.dataset): the data table, the steps and epochs, the batches
            "data": "Data ({n} samples):",
            "step": "Step {k}:",
            "pass": "Epoch {k}: one pass over the data, the samples in the order {order}.",
            "batch": "Batch: {samples}.",
            "batch_one": "Sample {i}.",
            "full_batch": "Full batch: each step uses all {n} samples, so an epoch (one pass over the data) is one step.",
            "sgd": "Stochastic gradient descent: one sample per step, {order}; an epoch (one pass over the {n} samples) is {k} steps.",
            "mini_batch": "Mini-batches of {b} samples, {order}; an epoch (one pass over the {n} samples) is {k} steps{last}.",
            "last_batch": ", the last of {r}",
            "given_order": "in the order given",
            "shuffled": "shuffled anew for each epoch from seed {seed} (Python's random.Random({seed}).shuffle)",
            "samples_word": "samples {items}",
            "step_column": "Step",
            "every_step": "One row every {k} steps, and the last step ({last}).",
            "compare_columns_steps": ["Exercise", "Optimizer", "Steps", "Steps to reach", "Final $J$"],
            "reach_steps": ("Steps to reach: the first step $t$ (0 is the start) with ${f} \\le {level}$, that is within the "
                            "tolerance ${tolerance}$ of ${minimum}$, taken as the minimum of the loss on the data $J$; —: not "
                            "reached in the steps worked."),
            "trajectory_steps": "Trajectory (step 0 is the start):",
            # a derivation (steps = true): the rule each line applies, and what a sheet says where none does
            "rules": {
                "sum": "sum rule", "constant": "constant rule", "constant_multiple": "constant multiple rule",
                "power": "power rule", "product": "product rule", "quotient": "quotient rule", "chain": "chain rule",
                "exp": "exponential rule", "log": "logarithm rule", "trig": "trigonometric derivative",
                "hyperbolic": "hyperbolic derivative", "inverse_trig": "inverse trigonometric derivative",
                "abs": "absolute value rule", "log_diff": "logarithmic differentiation", "function": "table of derivatives",
                "simplify": "simplified",
            },
            "no_steps": "${d}$ is not derived here by the rules alone: the derivative below is SymPy's.",
        },
        "schedule": {  # a learning-rate schedule's note (symopt.schedules), in mathematical words
            "note": "Learning-rate schedule, {kind}: epoch $t$ uses the rate $\\alpha_t$ in place of $\\alpha$; "
                    "$\\alpha_t$ is the schedule's value after $t - 1$ of its steps, so epoch 1 uses its starting value.",
            "frameworks": "PyTorch {torch}, with scheduler.step() after each optimizer.step(); optax {optax}.",
            "function": "{f} as the schedule", "cosine_end": "up to epoch {end} (it rises again after)",
            "kinds": {"constant": "a constant rate", "step": "step decay", "multistep": "decay at milestones",
                      "exponential": "exponential decay", "inverse_time": "inverse time decay", "cosine": "cosine annealing",
                      "warmup": "linear warmup, then {then}", "expression": "by its formula"},
        },
        "card": {
            "title": "Optimizers in symopt",
            "hyper": "Hyperparameters",
            "state": "State (starts at)",
            "rules": "Rules (default options)",
            "options": "Options",
            "default": "default",
            "none": "none",
            "note": "Note on the sheet",
            "frameworks": "Frameworks",
        },
        "exam": {
            "course": "Course",
            "date": "Date",
            "duration": "Duration",
            "fields": {"name": "Name", "student_id": "Student ID", "class": "Class"},
            "total": "Total: {p}",
            "points": {1: "1 point"},
            "points_n": "{p} points",
            "instructions": "Instructions",
            "rules": [
                "Work each exercise by hand and write out every line: the formula, the numbers substituted, the result.",
                "Round as each exercise says and go on with the rounded value. A line worked correctly from your own earlier "
                "result earns its marks even when that result was wrong.",
                "Write your answers in the space under each exercise.",
            ],
            "asked": "After each epoch, write the values of {names} clearly: they are the answers asked for. Every line you write is marked.",
            "exercise_short": "Exercise {n}",
            "score": "Score by the marking scheme",
            "marking": "Marking scheme",
            "marking_rule": ("Each exercise's points are spread evenly over its epochs, and an epoch's over its lines. A line earns "
                             "its points when it is right, half of them for a rounding slip alone, none for an arithmetic, "
                             "substitution or formula error or a line not written. Error carried forward: each line is judged "
                             "from the student's own earlier values, so a line worked correctly from an earlier wrong value earns "
                             "its points in full."),
            "epoch_word": "Epoch",
            "line_word": "Line",
            "worth": "Points",
            "epoch": "Epoch {k}",
            "mistakes": {"eps_inside": "ε belongs outside the square root here", "eps_outside": "ε belongs inside the square root here",
                         "no_one_minus_beta": "the new gradient's weight is 1 − β", "no_bias_correction": "the bias correction is missing"},
            "epochs": {1: "one epoch", 2: "two epochs"},
            "epochs_n": "{n} epochs",
            "task": "Compute {epochs} by hand, writing out every line; {how}.",
            "hand": "round every value to {d} decimal places (small values to {s} significant figures) and go on with the rounded value",
            "sig": "round every value to {s} significant figures and go on with the rounded value",
            "exact": "give exact values, rounded to {d} decimal places (small values to {s} significant figures) where they do not end",
            "precision": "give values to {n} significant digits",
            "cloze_epoch": "Epoch {k}",
            "variant": "Variant {k}",
        },
        "reads": {  # what starts an exercise or an epoch, for the reader (regular expressions)
            "exercise": ["exercise", "problem", "question", r"ex\.?"],
            "epoch": ["epoch", "step", "iteration"],
            "in": ["in", "at"],
            "and": ["and"],
        },
    },
    "vi": {
        "sheet": {
            "exercise": "Bài {n} {name}",
            "epoch": "Epoch {k}:",
            "diverged": "Quá trình phân kỳ ở epoch {k}: {reason}. Các epoch sau không được tính.",
            "bound": "${line} = {value}$ vượt quá $10^{{12}}$",
            "limit": "${line}$ vượt quá $10^{{300}}$",
            "overflow": "${line}$ không hữu hạn (tràn số)",
            "departs": "Từ epoch {k}, các giá trị làm tròn tính tay lệch khỏi lời giải không làm tròn nhiều hơn mức do làm tròn: ở đây ${line} = {carried}$, không làm tròn là ${exact}$. Dùng thêm chữ số thập phân hoặc chữ số có nghĩa để giữ đúng lời giải.",
            "kink": "$f$ không khả vi tại điểm $|\\cdot|$ bằng 0; tại đó lấy $\\frac{d|x|}{dx} = \\operatorname{sign}(0) = 0$.",
            "kink_frameworks": "Autograd của PyTorch cũng cho 0 tại đó; jax.grad cho 1.",
            "frameworks": "{note} Trong các thư viện: {frameworks}",
            "vector": "Trong các công thức ${p} = ({names})$: mỗi công thức áp dụng cho từng biến.",
            "vector_params": "Trong các công thức ${p} = ({names})$: mỗi công thức áp dụng cho từng tham số.",
            "exact": "Số liệu: giá trị chính xác; giá trị có nhiều hơn {places} được ghi làm tròn ($\\approx$) đến {rounding}.",
            "precision": "Số liệu: các giá trị được ghi với {digits} chữ số có nghĩa ($\\approx$ khi làm tròn); chúng được tính với nhiều chữ số hơn, nên mọi chữ số được ghi đều đúng.",
            "hand": "Số liệu: mọi giá trị được làm tròn đến {rounding}, và giá trị đã làm tròn được dùng cho các bước sau{keep}.",
            "sig": "Số liệu: mọi giá trị được làm tròn đến {sig} chữ số có nghĩa, và giá trị đã làm tròn được dùng cho các bước sau{keep}.",
            "decimals": "{d} chữ số thập phân, nhưng không ít hơn {s} chữ số có nghĩa",
            "places": "{d} chữ số thập phân",
            "keep": "; giá trị có không quá {k} chữ số thập phân được giữ nguyên",
            "padded": " Giá trị làm tròn giữ các chữ số 0 ở cuối.",
            "comma": " Dấu phẩy thập phân: $0{,}5$ là một nửa.",
            "trajectory": "Quỹ đạo (epoch 0 là điểm xuất phát):",
            "epoch_column": "Epoch",
            "every": "Mỗi {k} epoch một dòng, và epoch cuối ({last}).",
            "no_value": "—: $f$ không xác định tại đó, hoặc vượt quá $10^{300}$.",
            "comparison": "So sánh các thuật toán tối ưu",
            "compare_columns": ["Bài", "Thuật toán", "Số epoch", "Số epoch để đạt", "$f$ cuối cùng"],
            "reach": ("Số epoch để đạt: epoch $t$ đầu tiên (0 là điểm xuất phát) có ${f} \\le {level}$, tức là cách ${minimum}$, "
                      "được lấy làm giá trị nhỏ nhất của $f$, không quá dung sai ${tolerance}$; —: không đạt trong các epoch đã tính."),
            "diverges": "{k} (phân kỳ)",
            "data": "Dữ liệu ({n} mẫu):",
            "step": "Bước {k}:",
            "pass": "Epoch {k}: một lượt qua dữ liệu, các mẫu theo thứ tự {order}.",
            "batch": "Lô: {samples}.",
            "batch_one": "Mẫu {i}.",
            "full_batch": "Toàn bộ dữ liệu (full batch): mỗi bước dùng cả {n} mẫu, nên một epoch (một lượt qua dữ liệu) là một bước.",
            "sgd": "Gradient descent ngẫu nhiên (SGD): mỗi bước một mẫu, {order}; một epoch (một lượt qua {n} mẫu) gồm {k} bước.",
            "mini_batch": "Mini-batch {b} mẫu, {order}; một epoch (một lượt qua {n} mẫu) gồm {k} bước{last}.",
            "last_batch": ", lô cuối có {r} mẫu",
            "given_order": "theo thứ tự đã cho",
            "shuffled": "xáo trộn lại ở mỗi epoch từ seed {seed} (random.Random({seed}).shuffle của Python)",
            "samples_word": "các mẫu {items}",
            "step_column": "Bước",
            "every_step": "Mỗi {k} bước một dòng, và bước cuối ({last}).",
            "compare_columns_steps": ["Bài", "Thuật toán", "Số bước", "Số bước để đạt", "$J$ cuối cùng"],
            "reach_steps": ("Số bước để đạt: bước $t$ đầu tiên (0 là điểm xuất phát) có ${f} \\le {level}$, tức là cách ${minimum}$, "
                            "được lấy làm giá trị nhỏ nhất của hàm mất mát trên dữ liệu $J$, không quá dung sai ${tolerance}$; "
                            "—: không đạt trong các bước đã tính."),
            "trajectory_steps": "Quỹ đạo (bước 0 là điểm xuất phát):",
            "rules": {
                "sum": "quy tắc tổng", "constant": "đạo hàm của hằng số", "constant_multiple": "quy tắc hằng số nhân",
                "power": "quy tắc lũy thừa", "product": "quy tắc tích", "quotient": "quy tắc thương", "chain": "quy tắc dây chuyền",
                "exp": "đạo hàm hàm mũ", "log": "đạo hàm hàm lôgarit", "trig": "đạo hàm hàm lượng giác",
                "hyperbolic": "đạo hàm hàm hyperbolic", "inverse_trig": "đạo hàm hàm lượng giác ngược",
                "abs": "đạo hàm hàm giá trị tuyệt đối", "log_diff": "đạo hàm lôgarit", "function": "bảng đạo hàm",
                "simplify": "rút gọn",
            },
            "no_steps": "${d}$ ở đây không được suy ra chỉ bằng các quy tắc: đạo hàm dưới đây do SymPy tính.",
        },
        "schedule": {
            "note": "Lịch tốc độ học, {kind}: epoch $t$ dùng tốc độ học $\\alpha_t$ thay cho $\\alpha$; "
                    "$\\alpha_t$ là giá trị của lịch sau $t - 1$ bước, nên epoch 1 dùng giá trị ban đầu của lịch.",
            "frameworks": "PyTorch {torch}, gọi scheduler.step() sau mỗi optimizer.step(); optax {optax}.",
            "function": "{f} làm lịch", "cosine_end": "đến epoch {end} (sau đó tăng trở lại)",
            "kinds": {"constant": "tốc độ học không đổi", "step": "giảm theo bậc", "multistep": "giảm tại các mốc",
                      "exponential": "giảm theo hàm mũ", "inverse_time": "giảm tỉ lệ nghịch với thời gian", "cosine": "giảm theo cosine",
                      "warmup": "khởi động tuyến tính (warmup), rồi {then}", "expression": "theo công thức"},
        },
        "card": {
            "title": "Các thuật toán tối ưu trong symopt",
            "hyper": "Siêu tham số",
            "state": "Trạng thái (giá trị đầu)",
            "rules": "Công thức (tùy chọn mặc định)",
            "options": "Tùy chọn",
            "default": "mặc định",
            "none": "không có",
            "note": "Ghi chú trên bài giải",
            "frameworks": "Trong các thư viện",
        },
        "exam": {
            "course": "Học phần",
            "date": "Ngày thi",
            "duration": "Thời gian",
            "fields": {"name": "Họ và tên", "student_id": "Mã số sinh viên", "class": "Lớp"},
            "total": "Tổng: {p}",
            "points": {},
            "points_n": "{p} điểm",
            "instructions": "Hướng dẫn",
            "rules": [
                "Giải từng bài bằng tay và viết ra mọi dòng: công thức, các số được thay vào, kết quả.",
                "Làm tròn như mỗi bài yêu cầu và tính tiếp với giá trị đã làm tròn. Một dòng tính đúng từ kết quả trước đó "
                "của chính em vẫn được điểm, kể cả khi kết quả ấy sai.",
                "Viết bài làm vào chỗ trống dưới mỗi bài.",
            ],
            "asked": "Sau mỗi epoch, ghi rõ giá trị của {names}: đó là các đáp số được hỏi. Mọi dòng em viết đều được chấm điểm.",
            "exercise_short": "Bài {n}",
            "score": "Điểm theo thang chấm",
            "marking": "Thang chấm",
            "marking_rule": ("Điểm của mỗi bài chia đều cho các epoch, điểm của mỗi epoch chia cho các dòng của nó. Một dòng đúng "
                             "được đủ điểm, chỉ sai làm tròn được một nửa, sai phép tính, sai số thay vào, sai công thức hoặc "
                             "không viết thì không có điểm. Tính theo lỗi kéo theo: mỗi dòng được chấm từ các giá trị trước đó "
                             "của chính sinh viên, nên một dòng tính đúng từ một giá trị sai trước đó vẫn được đủ điểm."),
            "epoch_word": "Epoch",
            "line_word": "Dòng",
            "worth": "Điểm",
            "epoch": "Epoch {k}",
            "mistakes": {"eps_inside": "ở đây ε nằm ngoài dấu căn", "eps_outside": "ở đây ε nằm trong dấu căn",
                         "no_one_minus_beta": "gradient mới có trọng số 1 − β", "no_bias_correction": "thiếu bước hiệu chỉnh độ lệch"},
            "epochs": {1: "một epoch", 2: "hai epoch"},
            "epochs_n": "{n} epoch",
            "task": "Tính {epochs} bằng tay, viết ra mọi dòng; {how}.",
            "hand": "làm tròn mọi giá trị đến {d} chữ số thập phân (giá trị nhỏ đến {s} chữ số có nghĩa) và tính tiếp với giá trị đã làm tròn",
            "sig": "làm tròn mọi giá trị đến {s} chữ số có nghĩa và tính tiếp với giá trị đã làm tròn",
            "exact": "cho giá trị chính xác, làm tròn đến {d} chữ số thập phân (giá trị nhỏ đến {s} chữ số có nghĩa) nếu không hữu hạn",
            "precision": "cho giá trị đến {n} chữ số có nghĩa",
            "cloze_epoch": "Epoch {k}",
            "variant": "Đề số {k}",
        },
        "reads": {
            "exercise": [r"bài(?:\s+tập)?", "bai", "câu"],
            "epoch": [r"vòng(?:\s+lặp)?", "bước", r"lần\s+lặp"],
            "in": ["trong", "ở"],
            "and": ["và"],
        },
    },
}


def languages() -> tuple[str, ...]:
    """The languages symopt writes, in the catalogue's order (English first)."""
    return tuple(TEXT)


def words(lang: str, part: str) -> dict:
    """The words of one part ("sheet", "schedule", "card", "exam", "reads") in a language."""
    return TEXT[lang][part]


def in_language(texts: dict[str, str], lang: str) -> str:
    """A text given per language (an optimizer's note), in `lang`, else in English."""
    return texts.get(lang) or texts.get("en", "")
