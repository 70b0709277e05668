"""The workspace's words in Korean, Japanese and English.

The language is the ``lang`` cookie if the user chose one, else the best match
in the browser's Accept-Language, else Korean.
"""

from __future__ import annotations

LANGUAGES = ("ko", "ja", "en")
NAMES = {"ko": "한국어", "ja": "日本語", "en": "English"}

TEXT: dict[str, dict[str, str]] = {
    "app": {"ko": "관문 업무 AI", "ja": "関門 業務AI", "en": "Gwanmun workspace"},
    "login": {"ko": "로그인", "ja": "ログイン", "en": "Sign in"},
    "logout": {"ko": "로그아웃", "ja": "ログアウト", "en": "Sign out"},
    "username": {"ko": "아이디", "ja": "ユーザー名", "en": "User name"},
    "password": {"ko": "비밀번호", "ja": "パスワード", "en": "Password"},
    "notice_title": {
        "ko": "이용 전 안내",
        "ja": "ご利用前のお知らせ",
        "en": "Before you start",
    },
    "notice_body": {
        "ko": "이 서비스는 생성형 인공지능을 사용합니다. 답변은 AI가 만든 것이며 틀릴 수 "
        "있으니 사용 전에 사실관계와 출처를 반드시 확인하세요. 비공개 업무자료, 개인정보"
        "(주민등록번호·연락처 등), 비밀·대외비 문서, 비밀번호와 인증키는 입력하지 마세요. "
        "입력 내용은 자동 점검되며, 민감한 정보는 가려지거나 전송이 차단되고, 모든 이용은 "
        "감사 기록으로 남습니다.",
        "ja": "このサービスは生成AIを利用します。回答はAIが作成したもので誤りを含むことが"
        "あるため、利用前に必ず事実と出典を確認してください。非公開の業務資料、個人情報"
        "(マイナンバー・連絡先など)、秘密・部外秘の文書、パスワードや認証キーは入力しないで"
        "ください。入力内容は自動で点検され、機微な情報は伏せ字にされるか送信が止められ、"
        "すべての利用は監査記録に残ります。",
        "en": "This service uses generative AI. Answers are produced by AI and can be wrong: "
        "check facts and sources before you use them. Never enter non-public work "
        "documents, personal data (resident registration numbers, contact details), "
        "classified or internal-only documents, passwords or keys. What you enter is "
        "checked automatically: sensitive values are masked or the message is stopped, "
        "and every use is recorded in the audit log.",
    },
    "notice_ack": {
        "ko": "위 내용을 확인했습니다",
        "ja": "内容を確認しました",
        "en": "I have read this",
    },
    "model": {"ko": "모델", "ja": "モデル", "en": "Model"},
    "message": {"ko": "메시지", "ja": "メッセージ", "en": "Message"},
    "send": {"ko": "보내기", "ja": "送信", "en": "Send"},
    "placeholder": {
        "ko": "무엇을 도와드릴까요? (예: 민원 회신 초안을 써 주세요)",
        "ja": "ご用件を入力してください(例:住民への回答案を作成して)",
        "en": "What do you need? (e.g. draft a reply to a citizen)",
    },
    "preview_ok": {
        "ko": "민감한 정보가 보이지 않습니다.",
        "ja": "機微な情報は見つかりません。",
        "en": "No sensitive data found.",
    },
    "preview_mask": {
        "ko": "표시된 부분은 가려서 보냅니다:",
        "ja": "印の部分は伏せ字にして送信します:",
        "en": "The marked parts will be masked before sending:",
    },
    "preview_block": {
        "ko": "이 메시지는 보낼 수 없습니다:",
        "ja": "このメッセージは送信できません:",
        "en": "This message cannot be sent:",
    },
    "ai_label": {
        "ko": "AI 생성 답변",
        "ja": "AI生成の回答",
        "en": "AI-generated answer",
    },
    "reverify": {
        "ko": "사용 전에 사실관계를 확인하세요.",
        "ja": "利用前に内容を確認してください。",
        "en": "Verify before use.",
    },
    "copy": {"ko": "복사", "ja": "コピー", "en": "Copy"},
    "export": {"ko": "내보내기", "ja": "書き出し", "en": "Export"},
    "copied": {"ko": "복사했습니다", "ja": "コピーしました", "en": "Copied"},
    "stopped": {
        "ko": "답변이 중단되었습니다",
        "ja": "回答が中断されました",
        "en": "The answer was stopped",
    },
    "output_marks": {
        "ko": "출력 점검",
        "ja": "出力チェック",
        "en": "Output checks",
    },
    "language": {"ko": "언어", "ja": "言語", "en": "Language"},
    "error": {"ko": "오류", "ja": "エラー", "en": "Error"},
    "chat": {"ko": "대화", "ja": "チャット", "en": "Chat"},
    "templates": {"ko": "프롬프트 서식", "ja": "プロンプト集", "en": "Prompt templates"},
    "templates_help": {
        "ko": "자주 쓰는 업무 요청을 서식으로 골라 빈칸만 채우면 대화창에 들어갑니다.",
        "ja": "よく使う依頼をテンプレートから選び、空欄を埋めるとチャットに入ります。",
        "en": "Pick a template for a common task, fill in the blanks, and it goes to the chat.",
    },
    "use_template": {"ko": "이 서식 쓰기", "ja": "使う", "en": "Use"},
    "cancel": {"ko": "취소", "ja": "キャンセル", "en": "Cancel"},
    "uses": {"ko": "사용", "ja": "利用", "en": "Used"},
    "origin": {"ko": "출처", "ja": "提供元", "en": "From"},
    "rate": {"ko": "평가", "ja": "評価", "en": "Rate"},
    "bundles": {
        "ko": "서식 묶음 주고받기",
        "ja": "テンプレートの共有",
        "en": "Share templates with other institutions",
    },
    "bundles_help": {
        "ko": "기관 전체 서식을 기관 키로 서명해 내보내고, 신뢰하는 기관이 서명한 묶음만 "
        "가져옵니다. 변조된 묶음은 거부됩니다.",
        "ja": "機関全体のテンプレートを機関の鍵で署名して書き出し、信頼する機関が署名した"
        "ものだけを取り込みます。改ざんされたものは拒否されます。",
        "en": "Export the institution-wide templates signed with the institution's key; "
        "import only bundles signed by institutions you trust. Tampered bundles are refused.",
    },
    "export_bundle": {"ko": "서명해서 내보내기", "ja": "署名して書き出す", "en": "Export signed"},
    "import_bundle": {"ko": "묶음 가져오기", "ja": "取り込む", "en": "Import a bundle"},
    "imported": {"ko": "가져온 서식", "ja": "取り込んだ数", "en": "Imported"},
    "feedback_q": {
        "ko": "이 답변으로 시간을 아꼈나요?",
        "ja": "この回答で時間を節約できましたか?",
        "en": "Did this save you time?",
    },
    "fb_none": {"ko": "아니요", "ja": "いいえ", "en": "No"},
    "fb_10": {"ko": "10분쯤", "ja": "10分ほど", "en": "~10 min"},
    "fb_30": {"ko": "30분쯤", "ja": "30分ほど", "en": "~30 min"},
    "fb_60": {"ko": "1시간 이상", "ja": "1時間以上", "en": "1 h or more"},
    "fb_thanks": {"ko": "고맙습니다.", "ja": "ありがとうございます。", "en": "Thank you."},
    "search_hint": {
        "ko": "오늘의 정보나 최신 소식은 AI가 알지 못합니다(인터넷에 연결되지 않음). "
        "그런 질문은 검색을 이용하고, 여기서는 글쓰기·요약·번역을 맡겨 보세요.",
        "ja": "今日の情報や最新ニュースはAIには分かりません(インターネット非接続)。検索を"
        "使い、ここでは文書作成・要約・翻訳を任せてください。",
        "en": "The AI does not know today's facts or news (it has no internet). Use a search "
        "for that, and ask here for drafting, summaries and translation.",
    },
    "admin": {"ko": "관리", "ja": "管理", "en": "Admin"},
    "audit": {"ko": "감사 기록", "ja": "監査記録", "en": "Audit log"},
    "usage": {"ko": "이용 현황", "ja": "利用状況", "en": "Usage"},
    "dry_run": {"ko": "정책 시험", "ja": "ポリシーの試験", "en": "Policy dry run"},
    "dry_run_help": {
        "ko": "글을 붙여 넣으면 무엇이 탐지되고 어떻게 처리될지 보여 줍니다. "
        "모델에는 보내지 않습니다.",
        "ja": "文章を貼り付けると、何が検出されどう処理されるかを表示します。"
        "モデルには送りません。",
        "en": "Paste a text to see what is found and what the policy decides. Nothing is sent "
        "to a model.",
    },
    "backend_grade": {"ko": "모델 등급", "ja": "モデルの等級", "en": "Backend grade"},
    "check": {"ko": "점검", "ja": "点検", "en": "Check"},
    "decision": {"ko": "결정", "ja": "判定", "en": "Decision"},
    "grade": {"ko": "등급", "ja": "等級", "en": "Grade"},
    "users": {"ko": "사용자", "ja": "ユーザー", "en": "Users"},
    "group": {"ko": "부서", "ja": "部署", "en": "Department"},
    "role": {"ko": "역할", "ja": "役割", "en": "Role"},
    "state": {"ko": "상태", "ja": "状態", "en": "State"},
    "backends": {"ko": "모델 서버", "ja": "モデルサーバー", "en": "Backends"},
    "name": {"ko": "이름", "ja": "名前", "en": "Name"},
    "max_grade": {"ko": "최고 등급", "ja": "最高等級", "en": "Highest grade"},
    "since": {"ko": "부터", "ja": "以降", "en": "Since"},
    "search": {"ko": "찾기", "ja": "検索", "en": "Search"},
    "verify_chain": {"ko": "기록 무결성 확인", "ja": "改ざん検査", "en": "Verify the chain"},
    "time": {"ko": "시각", "ja": "時刻", "en": "Time"},
    "outcome": {"ko": "결과", "ja": "結果", "en": "Outcome"},
    "findings": {"ko": "탐지", "ja": "検出", "en": "Findings"},
    "csv": {"ko": "CSV 내려받기", "ja": "CSVダウンロード", "en": "Download CSV"},
    "requests": {"ko": "요청", "ja": "リクエスト", "en": "Requests"},
    "blocked": {"ko": "차단", "ja": "遮断", "en": "Blocked"},
    "tokens": {"ko": "토큰", "ja": "トークン", "en": "Tokens"},
    "answers_rated": {"ko": "응답 평가", "ja": "回答評価", "en": "Answers rated"},
    "hours_saved": {"ko": "절약한 시간(시간)", "ja": "節約時間(時間)", "en": "Hours saved"},
    "blocks_by_kind": {"ko": "차단 사유", "ja": "遮断の理由", "en": "Blocks by kind"},
    "top_templates": {
        "ko": "많이 쓴 서식",
        "ja": "よく使われたテンプレート",
        "en": "Top templates",
    },
    "history": {"ko": "내 기록", "ja": "履歴", "en": "My history"},
    "history_help": {
        "ko": "내 요청 기록입니다. 개인정보는 가려진 형태로만 남습니다.",
        "ja": "自分の利用履歴です。個人情報は伏せ字の形でのみ残ります。",
        "en": "Your own requests. Personal data is only ever kept masked.",
    },
    "history_blocked": {
        "ko": "차단된 요청은 내용을 남기지 않습니다.",
        "ja": "遮断されたリクエストは内容を残しません。",
        "en": "Blocked requests keep no text.",
    },
    "history_no_text": {
        "ko": "이 기관은 대화 내용을 기록하지 않습니다.",
        "ja": "この機関は会話の内容を記録しません。",
        "en": "This institution does not keep conversation text.",
    },
    "add_user": {"ko": "사용자 추가", "ja": "ユーザー追加", "en": "Add user"},
    "api_keys": {"ko": "API 키", "ja": "APIキー", "en": "API keys"},
    "expires_days": {"ko": "유효 기간(일)", "ja": "有効期間(日)", "en": "Expires in (days)"},
    "new_key": {"ko": "키 발급", "ja": "キー発行", "en": "Create key"},
    "key_once": {
        "ko": "지금 한 번만 보입니다. 안전하게 전달하세요:",
        "ja": "一度だけ表示されます。安全に渡してください:",
        "en": "Shown once; hand it over safely:",
    },
    "enable": {"ko": "사용", "ja": "有効化", "en": "Enable"},
    "disable": {"ko": "사용 중지", "ja": "無効化", "en": "Disable"},
    "unlock": {"ko": "잠금 해제", "ja": "ロック解除", "en": "Unlock"},
    "revoke": {"ko": "폐기", "ja": "失効", "en": "Revoke"},
    "added": {"ko": "추가했습니다.", "ja": "追加しました。", "en": "Added."},
    "new_template": {"ko": "서식 공유하기", "ja": "テンプレートを共有", "en": "Share a template"},
    "new_template_help": {
        "ko": "본문에 {{text}}처럼 쓰면 빈칸이 됩니다(이름은 영문). 개인정보는 넣지 마세요.",
        "ja": "本文に {{text}} のように書くと空欄になります。個人情報は入れないでください。",
        "en": "Write {{text}} in the body for a blank to fill in. Never put personal data in it.",
    },
    "title": {"ko": "제목", "ja": "タイトル", "en": "Title"},
    "category": {"ko": "분류", "ja": "分類", "en": "Category"},
    "body": {"ko": "본문", "ja": "本文", "en": "Body"},
    "visibility": {"ko": "공개 범위", "ja": "公開範囲", "en": "Shared with"},
    "my_group": {"ko": "우리 부서", "ja": "自分の部署", "en": "My department"},
    "institution": {"ko": "기관 전체", "ja": "機関全体", "en": "Whole institution"},
    "share": {"ko": "공유", "ja": "共有", "en": "Share"},
    "shared": {"ko": "공유했습니다.", "ja": "共有しました。", "en": "Shared."},
    "kb": {"ko": "지식 베이스", "ja": "ナレッジベース", "en": "Knowledge bases"},
    "kb_help": {
        "ko": "부서 문서를 모아 두면 대화에서 그 문서를 근거로 답하고 출처를 밝힙니다. "
        "문서마다 등급이 매겨지고, 읽을 권한이 있는 부서와 등급이 허용되는 모델에만 쓰입니다.",
        "ja": "部署の文書を集めておくと、チャットでその文書を根拠に答え、出典を示します。"
        "文書ごとに等級が付き、閲覧権限のある部署と等級が許すモデルにだけ使われます。",
        "en": "Keep your department's documents here and the chat answers from them, citing "
        "its sources. Every document is graded, and used only for the departments that may "
        "read it and the models its grade allows.",
    },
    "kb_new": {"ko": "새 지식 베이스", "ja": "新しいナレッジベース", "en": "New knowledge base"},
    "kb_id": {"ko": "식별자 (영문·숫자)", "ja": "識別子(英数字)", "en": "Id (letters, digits)"},
    "kb_name": {"ko": "이름", "ja": "名前", "en": "Name"},
    "kb_readers": {
        "ko": "읽을 수 있는 다른 부서 (쉼표로 구분)",
        "ja": "閲覧できる他の部署(カンマ区切り)",
        "en": "Other departments that may read it (comma-separated)",
    },
    "kb_create": {"ko": "만들기", "ja": "作成", "en": "Create"},
    "kb_created": {"ko": "만들었습니다.", "ja": "作成しました。", "en": "Created."},
    "kb_none": {
        "ko": "읽을 수 있는 지식 베이스가 아직 없습니다.",
        "ja": "閲覧できるナレッジベースはまだありません。",
        "en": "No knowledge base you may read yet.",
    },
    "kb_owner": {"ko": "소유 부서", "ja": "所有部署", "en": "Owner"},
    "kb_everyone": {"ko": "모든 부서", "ja": "全部署", "en": "every department"},
    "kb_doc": {"ko": "문서", "ja": "文書", "en": "Document"},
    "kb_passages": {"ko": "단락", "ja": "段落", "en": "Passages"},
    "kb_added": {"ko": "추가한 때", "ja": "追加日時", "en": "Added"},
    "kb_no_docs": {"ko": "문서가 없습니다.", "ja": "文書はありません。", "en": "No documents."},
    "kb_upload": {"ko": "문서 올리기", "ja": "文書をアップロード", "en": "Add documents"},
    "kb_indexing": {
        "ko": "색인 중 {done}/{total}: {name}",
        "ja": "索引作成中 {done}/{total}: {name}",
        "en": "Indexing {done}/{total}: {name}",
    },
    "kb_indexed": {
        "ko": "{name}: 단락 {passages}개, 등급 {grade}",
        "ja": "{name}: 段落 {passages} 件、等級 {grade}",
        "en": "{name}: {passages} passages, grade {grade}",
    },
    "kb_unchanged": {
        "ko": "{name}: 바뀐 내용이 없습니다.",
        "ja": "{name}: 変更はありません。",
        "en": "{name}: unchanged.",
    },
    "kb_progress": {"ko": "색인 진행", "ja": "索引の進捗", "en": "Indexing progress"},
    "kb_remove": {"ko": "삭제", "ja": "削除", "en": "Delete"},
    "kb_remove_doc": {"ko": "{name} 삭제", "ja": "{name} を削除", "en": "Delete {name}"},
    "kb_search": {"ko": "검색어", "ja": "検索語", "en": "Words to look for"},
    "kb_search_go": {"ko": "검색", "ja": "検索", "en": "Search"},
    "kb_search_in": {"ko": "{name}에서 검색", "ja": "{name} を検索", "en": "Search {name}"},
    "kb_no_hits": {
        "ko": "찾은 단락이 없습니다.",
        "ja": "該当する段落はありません。",
        "en": "No passage found.",
    },
    "kb_use": {
        "ko": "지식 베이스에서 답하기",
        "ja": "ナレッジベースから回答",
        "en": "Answer from knowledge bases",
    },
    "kb_sources": {"ko": "출처", "ja": "出典", "en": "Sources"},
    "kb_supports": {"ko": "답변 근거", "ja": "回答の根拠", "en": "supports the answer"},
    "kb_page": {"ko": "{page}쪽", "ja": "{page}ページ", "en": "p. {page}"},
    "kb_pages": {
        "ko": "{first}–{last}쪽",
        "ja": "{first}–{last}ページ",
        "en": "pp. {first}–{last}",
    },
    "attach": {"ko": "근거 문서 첨부", "ja": "根拠資料を添付", "en": "Attach sources"},
    "grounded": {"ko": "근거 있는 문장", "ja": "根拠のある文", "en": "Supported sentences"},
    "not_json": {
        "ko": "JSON 파일이 아닙니다.",
        "ja": "JSONファイルではありません。",
        "en": "Not a JSON file.",
    },
    "skip": {
        "ko": "본문으로 건너뛰기",
        "ja": "本文へ移動",
        "en": "Skip to content",
    },
    "new_chat": {
        "ko": "새 대화",
        "ja": "新しい会話",
        "en": "New conversation",
    },
    "continue_chat": {
        "ko": "이 대화 이어 가기",
        "ja": "この会話を続ける",
        "en": "Continue this conversation",
    },
    "err_content_blocked": {
        "ko": "민감한 정보가 있어 모델에 보내지 않았습니다. "
        "해당 값을 지우거나 바꾼 뒤 다시 보내세요",
        "ja": "機微な情報が含まれているため、モデルに送信しませんでした。"
        "該当の値を消すか置き換えてから再送してください",
        "en": "Not sent to the model: the message holds sensitive data. Remove or replace the "
        "value and send again",
    },
    "err_grade_exceeded": {
        "ko": "이 모델이 받을 수 있는 등급보다 높은 자료입니다. "
        "다른 모델을 고르거나 내용을 줄이세요",
        "ja": "このモデルが受け取れる等級を超える資料です。"
        "別のモデルを選ぶか内容を減らしてください",
        "en": "This content is above the grade this model may receive. Pick another model or "
        "remove the content",
    },
    "err_output_blocked": {
        "ko": "답변 점검에서 문제가 발견되어 답변을 중단했습니다",
        "ja": "回答の点検で問題が見つかったため、回答を中止しました",
        "en": "The answer was stopped by the output checks",
    },
    "err_guard_failure": {
        "ko": "점검 중 오류가 나서 안전을 위해 요청을 차단했습니다. 관리자에게 알려 주세요",
        "ja": "点検中にエラーが起きたため、安全のため要求を止めました。管理者に連絡してください",
        "en": "A check failed, so the request was blocked to be safe. Please tell an administrator",
    },
    "err_rate_limited": {
        "ko": "요청이 너무 많습니다. 잠시 후 다시 시도하세요",
        "ja": "要求が多すぎます。しばらくしてから再試行してください",
        "en": "Too many requests. Try again in a moment",
    },
    "err_invalid_api_key": {
        "ko": "아이디 또는 비밀번호가 틀렸거나 로그인이 만료되었습니다",
        "ja": "ユーザー名またはパスワードが違うか、ログインの有効期限が切れました",
        "en": "Wrong user name or password, or your sign-in has expired",
    },
    "err_locked": {
        "ko": "로그인에 여러 번 실패해 계정이 잠겼습니다. "
        "잠시 후 다시 시도하거나 관리자에게 해제를 요청하세요",
        "ja": "ログインに何度も失敗したためアカウントがロックされました。"
        "しばらくしてから再試行するか、管理者に解除を依頼してください",
        "en": "This account is locked after too many failed sign-ins. Try again later or ask "
        "an administrator to unlock it",
    },
    "err_disabled": {
        "ko": "사용이 중지된 계정입니다. 관리자에게 문의하세요",
        "ja": "利用停止中のアカウントです。管理者に問い合わせてください",
        "en": "This account is disabled. Ask an administrator",
    },
    "err_permission_denied": {
        "ko": "이 기능을 사용할 권한이 없습니다",
        "ja": "この機能を使う権限がありません",
        "en": "You do not have permission to use this",
    },
    "err_model_not_found": {
        "ko": "선택한 모델을 찾을 수 없습니다",
        "ja": "選んだモデルが見つかりません",
        "en": "The chosen model was not found",
    },
    "err_payload_too_large": {
        "ko": "입력이 너무 깁니다. 내용을 나누어 보내세요",
        "ja": "入力が長すぎます。分けて送ってください",
        "en": "The input is too long. Send it in parts",
    },
    "err_backend_error": {
        "ko": "모델 서버가 오류를 냈습니다. 잠시 후 다시 시도하세요",
        "ja": "モデルサーバーでエラーが起きました。しばらくしてから再試行してください",
        "en": "The model server failed. Try again in a moment",
    },
    "err_backend_unavailable": {
        "ko": "모델 서버에 연결할 수 없습니다. 잠시 후 다시 시도하세요",
        "ja": "モデルサーバーに接続できません。しばらくしてから再試行してください",
        "en": "The model server is unavailable. Try again in a moment",
    },
    "err_backend_timeout": {
        "ko": "모델 서버가 제때 응답하지 않았습니다. 질문을 줄이거나 다시 시도하세요",
        "ja": "モデルサーバーが時間内に応答しませんでした。質問を短くするか再試行してください",
        "en": "The model server did not answer in time. Shorten the question or try again",
    },
    "period": {"ko": "기간", "ja": "期間", "en": "Period"},
    "by_day": {"ko": "일별", "ja": "日別", "en": "By day"},
    "by_week": {"ko": "주별", "ja": "週別", "en": "By week"},
    "by_group": {"ko": "부서별", "ja": "部署別", "en": "By department"},
    "week_of": {"ko": "{date} 주", "ja": "{date}の週", "en": "week {date}"},
    "requests_over_time": {
        "ko": "요청 수 (부서별)",
        "ja": "リクエスト数(部署別)",
        "en": "Requests by department",
    },
    "blocked_over_time": {
        "ko": "차단된 요청 (부서별)",
        "ja": "遮断されたリクエスト(部署別)",
        "en": "Blocked requests by department",
    },
    "tokens_over_time": {
        "ko": "토큰 사용량 (부서별)",
        "ja": "トークン使用量(部署別)",
        "en": "Tokens by department",
    },
    "hours_by_group": {
        "ko": "부서별 절약한 시간(시간)",
        "ja": "部署別の節約時間(時間)",
        "en": "Hours saved by department",
    },
    "desc_over_time": {
        "ko": "기간마다 막대 하나, 부서별로 색을 나누어 쌓았습니다. "
        "같은 수치가 아래 표에 있습니다.",
        "ja": "期間ごとに棒1本、部署ごとに色分けして積み上げています。同じ数値が下の表にあります。",
        "en": "One bar per period, stacked by department. "
        "The same numbers are in the tables below.",
    },
    "as_table": {"ko": "표로 보기", "ja": "表で見る", "en": "The numbers as tables"},
    "no_data": {
        "ko": "아직 자료가 없습니다.",
        "ja": "まだデータがありません。",
        "en": "No data yet.",
    },
    "waiting": {
        "ko": "답변을 준비하고 있습니다…",
        "ja": "回答を準備しています…",
        "en": "Preparing the answer…",
    },
    "writing": {
        "ko": "답변을 쓰고 있습니다…",
        "ja": "回答を作成しています…",
        "en": "Writing the answer…",
    },
    "stop": {"ko": "중지", "ja": "停止", "en": "Stop"},
    "stopped_by_you": {
        "ko": "답변을 중지했습니다.",
        "ja": "回答を停止しました。",
        "en": "You stopped the answer.",
    },
    "until": {"ko": "까지", "ja": "まで", "en": "Until"},
    "any": {"ko": "전체", "ja": "すべて", "en": "Any"},
    "local_time": {
        "ko": "시각은 이 컴퓨터의 현지 시각입니다.",
        "ja": "時刻はこのコンピューターの現地時刻です。",
        "en": "Times are in this computer's local time.",
    },
    "starter_set": {
        "ko": "관문 기본 서식",
        "ja": "関門の標準テンプレート",
        "en": "Gwanmun starter set",
    },
    "no_group": {"ko": "(부서 없음)", "ja": "(部署なし)", "en": "(no department)"},
    "chain_ok": {
        "ko": "기록 {checked}건 모두 변조 없음 (마지막 기록 #{seq}, 해시 {hash})",
        "ja": "記録{checked}件すべて改ざんなし(最新の記録 #{seq}、ハッシュ {hash})",
        "en": "Chain intact: {checked} records verified (last record #{seq}, hash {hash})",
    },
    "chain_empty": {
        "ko": "아직 기록이 없습니다.",
        "ja": "記録はまだありません。",
        "en": "No records yet.",
    },
    "chain_bad": {
        "ko": "기록 #{seq}에서 변조 또는 누락이 발견되었습니다",
        "ja": "記録 #{seq} で改ざんまたは欠落が見つかりました",
        "en": "The chain is broken at record #{seq}",
    },
    "detector": {"ko": "탐지기", "ja": "検出器", "en": "detector"},
    "confidence": {"ko": "신뢰도", "ja": "確信度", "en": "confidence"},
    "chars": {
        "ko": "{start}–{end}번째 글자",
        "ja": "{start}〜{end}文字目",
        "en": "characters {start}–{end}",
    },
    "not_your_role": {
        "ko": "이 화면은 역할에 맞지 않습니다.",
        "ja": "この画面は役割の対象外です。",
        "en": "This page is not for your role.",
    },
    "auditor_no_models": {
        "ko": "감사 담당자는 모델을 사용하지 않습니다(직무 분리). 감사 기록 화면을 이용하세요.",
        "ja": "監査担当者はモデルを使用しません(職務分離)。監査記録の画面をご利用ください。",
        "en": "Auditors do not use models (separation of duties); see the audit log page.",
    },
    "err_internal_error": {
        "ko": "관문 내부 오류입니다. 기록되었으니 관리자에게 알려 주세요",
        "ja": "関門の内部エラーです。記録されました。管理者に連絡してください",
        "en": "Internal error in the gateway; it has been logged. Please tell an administrator",
    },
}

# Names of finding kinds, shown instead of the codes (ko, ja, en).
KIND_NAMES: dict[str, tuple[str, str, str]] = {
    "KR_RRN": ("주민등록번호", "住民登録番号(韓国)", "resident registration number (KR)"),
    "KR_ARN": ("외국인등록번호", "外国人登録番号(韓国)", "alien registration number (KR)"),
    "KR_PASSPORT": ("여권번호(한국)", "旅券番号(韓国)", "passport number (KR)"),
    "KR_DRIVER_LICENSE": ("운전면허번호", "運転免許番号(韓国)", "driver's licence number (KR)"),
    "KR_HEALTH_INSURANCE": (
        "건강보험증번호",
        "健康保険証番号(韓国)",
        "health insurance number (KR)",
    ),
    "KR_VEHICLE_PLATE": ("차량번호", "車両番号(韓国)", "vehicle plate (KR)"),
    "KR_BRN": ("사업자등록번호", "事業者登録番号(韓国)", "business registration number (KR)"),
    "KR_CRN": ("법인등록번호", "法人登録番号(韓国)", "corporate registration number (KR)"),
    "JP_MY_NUMBER": ("마이넘버(일본)", "個人番号(マイナンバー)", "My Number (JP)"),
    "JP_HEALTH_INSURANCE": (
        "건강보험증 번호(일본)",
        "被保険者記号・番号",
        "health insurance number (JP)",
    ),
    "JP_PASSPORT": ("여권번호(일본)", "旅券番号", "passport number (JP)"),
    "JP_DRIVER_LICENSE": ("운전면허번호(일본)", "運転免許証番号", "driver's licence number (JP)"),
    "JP_RESIDENCE_CARD": ("재류카드 번호", "在留カード番号", "residence card number (JP)"),
    "JP_PENSION_NUMBER": ("기초연금번호(일본)", "基礎年金番号", "pension number (JP)"),
    "JP_CORPORATE_NUMBER": ("법인번호(일본)", "法人番号", "corporate number (JP)"),
    "PERSON": ("사람 이름", "人名", "person's name"),
    "PHONE": ("전화번호", "電話番号", "phone number"),
    "EMAIL": ("이메일 주소", "メールアドレス", "e-mail address"),
    "ADDRESS": ("주소", "住所", "address"),
    "POSTAL_CODE": ("우편번호", "郵便番号", "postal code"),
    "BANK_ACCOUNT": ("계좌번호", "口座番号", "bank account"),
    "CREDIT_CARD": ("카드번호", "カード番号", "card number"),
    "IBAN": ("IBAN", "IBAN", "IBAN"),
    "IP_ADDRESS": ("IP 주소", "IPアドレス", "IP address"),
    "INTERNAL_HOST": ("내부 시스템 이름", "内部システム名", "internal host name"),
    "SECRET": ("비밀번호·인증키", "パスワード・認証キー", "password or key"),
    "MARKING": ("비밀 등급 표시", "秘密区分の表示", "classification marking"),
    "TOXIC_HATE": ("혐오 표현", "ヘイト表現", "hate speech"),
    "TOXIC_OFFENSIVE": ("모욕적 표현", "侮辱的な表現", "offensive language"),
    "BIAS_GENDER": ("성차별적 표현", "性差別的な表現", "gender bias"),
    "BIAS_OTHER": ("차별적 표현", "差別的な表現", "discrimination"),
    "PROMPT_INJECTION": ("AI 지시 조작 시도", "AIへの指示の乗っ取り", "prompt injection"),
    "VERBATIM": ("보호 문서 그대로 복사", "保護文書の丸写し", "verbatim copy"),
    "UNSUPPORTED_CLAIM": ("근거 없는 문장", "根拠のない文", "unsupported claim"),
    "ORG_TERM": ("기관 내부 용어", "組織内用語", "internal term"),
}


# Why a request was refused or changed (``gwanmun.types.ReasonCode``), shown
# with the kinds or grades the reason names.
REASON_NAMES: dict[str, tuple[str, str, str]] = {
    "policy_blocks": (
        "정책상 보낼 수 없는 정보",
        "ポリシーで送信できない情報",
        "blocked by policy",
    ),
    "masked_down": (
        "모델 등급에 맞게 가림",
        "モデルの等級に合わせて伏せ字",
        "masked down to the model's grade",
    ),
    "grade_exceeded": (
        "모델이 받을 수 있는 등급 초과",
        "モデルが受け取れる等級を超過",
        "above the grade the model may receive",
    ),
    "in_fields": (
        "가릴 수 없는 필드(도구 호출 등)에 있는 정보",
        "伏せ字にできない項目(ツール呼び出しなど)の情報",
        "in fields that cannot be masked (tool calls, parameters)",
    ),
    "guard_failed": ("점검 오류로 차단", "点検エラーのため遮断", "blocked: a check failed"),
    "check_failed": (
        "답변 점검 오류로 중단",
        "回答の点検エラーのため停止",
        "stopped: an answer check failed",
    ),
    "output_finding": (
        "답변에서 발견되어 중단",
        "回答で見つかり停止",
        "stopped: found in the answer",
    ),
}


# Values the API returns as ids (``gwanmun.types``' enums and account states),
# shown in words: outcomes, decisions, roles, states and data grades (ko, ja, en).
VALUE_NAMES: dict[str, dict[str, tuple[str, str, str]]] = {
    "outcome": {
        "allowed": ("허용", "許可", "allowed"),
        "masked": ("가려서 보냄", "伏せ字で送信", "masked"),
        "blocked": ("차단", "遮断", "blocked"),
        "failed": ("실패", "失敗", "failed"),
        "interrupted": ("중단됨", "中断", "interrupted"),
    },
    "action": {
        "allow": ("허용", "許可", "allow"),
        "warn": ("경고", "警告", "warn"),
        "mask": ("가림", "伏せ字", "mask"),
        "block": ("차단", "遮断", "block"),
    },
    "role": {
        "user": ("직원", "職員", "staff"),
        "admin": ("관리자", "管理者", "administrator"),
        "auditor": ("감사 담당자", "監査担当者", "auditor"),
    },
    "state": {
        "active": ("사용 중", "有効", "active"),
        "disabled": ("사용 중지", "無効", "disabled"),
        "locked": ("잠김", "ロック中", "locked"),
        "revoked": ("폐기됨", "失効済み", "revoked"),
    },
    # N2SF grades (spec/rules.md): the letter stays, with its name.
    "grade": {
        "O": ("공개(O)", "公開(O)", "open (O)"),
        "S": ("민감(S)", "機微(S)", "sensitive (S)"),
        "C": ("기밀(C)", "機密(C)", "classified (C)"),
    },
}


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "ko"


def words(lang: str) -> dict[str, str]:
    """The page's words: ``TEXT`` in ``lang``, ``kind_<KIND>`` for every finding
    kind, ``reason_<code>`` for every reason code and ``<group>_<value>`` for every
    value in ``VALUE_NAMES`` (``outcome_blocked``, ``role_admin``, ``grade_S`` ...)."""
    chosen = {key: values[lang] for key, values in TEXT.items()}
    column = LANGUAGES.index(lang)
    chosen.update({f"kind_{kind}": names[column] for kind, names in KIND_NAMES.items()})
    chosen.update({f"reason_{code}": names[column] for code, names in REASON_NAMES.items()})
    for group, values in VALUE_NAMES.items():
        chosen.update({f"{group}_{value}": names[column] for value, names in values.items()})
    return chosen
