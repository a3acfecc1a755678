"""Report labels in Korean and English. `--lang` picks one; the default follows the locale."""

from __future__ import annotations

import os

LANGUAGES = ("ko", "en")

LABELS = {
    "passed": {"ko": "통과", "en": "passed"},
    "failed": {"ko": "틀림", "en": "failed"},
    "error": {"ko": "오류", "en": "error"},
    "not_implemented": {"ko": "미구현", "en": "not implemented"},
    "timeout": {"ko": "시간 초과", "en": "timeout"},
    "forbidden": {"ko": "규칙 위반", "en": "forbidden"},
    "missing": {"ko": "함수 없음", "en": "missing"},
    "task": {"ko": "과제", "en": "task"},
    "status": {"ko": "결과", "en": "status"},
    "points": {"ko": "점수", "en": "points"},
    "examples": {"ko": "예제 수", "en": "examples"},
    "message": {"ko": "설명", "en": "message"},
    "call": {"ko": "호출", "en": "call"},
    "inputs": {"ko": "입력", "en": "inputs"},
    "expected": {"ko": "정답", "en": "expected"},
    "yours": {"ko": "제출한 답", "en": "yours"},
    "printed": {"ko": "출력된 내용", "en": "your code printed"},
    "smallest": {"ko": "가장 작은 반례", "en": "smallest failing example"},
    "diagnosis": {"ko": "진단", "en": "diagnosis"},
    "differs": {"ko": "다른 칸", "en": "differs"},
    "total": {"ko": "합계", "en": "total"},
    "seed": {"ko": "시드", "en": "seed"},
    "all_passed": {"ko": "모든 과제를 통과했습니다!", "en": "Every task passed!"},
    "next_step": {
        "ko": "고친 뒤 다시 실행하세요: grade {name}",
        "en": "Fix it and run again: grade {name}",
    },
    "exercise": {"ko": "연습", "en": "exercise"},
    "file": {"ko": "파일", "en": "file"},
    "exercises": {"ko": "연습 문제", "en": "exercises"},
    "names": {"ko": "부르는 이름", "en": "names"},
    "state": {"ko": "상태", "en": "state"},
    "not_started": {"ko": "시작 전", "en": "not started"},
    "watching": {
        "ko": "{file} 파일을 지켜보는 중입니다: 저장하면 다시 채점합니다 (멈추려면 Ctrl+C).",
        "en": "Watching {file}: save it to grade again (Ctrl+C stops).",
    },
}


def default_language() -> str:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def label(key: str, lang: str, **fields) -> str:
    return LABELS[key][lang].format(**fields)
