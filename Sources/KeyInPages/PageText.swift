import KeyInAPI
import KeyInCore
import KeyInGateway

/// The words on KeyIn's pages, in both languages, in one place.
package enum PageText {
    package static let payTitle = LocalizedText(ko: "카드 결제", en: "Card payment")
    package static let orderName = LocalizedText(ko: "주문 내용", en: "Order")
    package static let amount = LocalizedText(ko: "결제 금액", en: "Amount")
    package static let cardNumber = LocalizedText(ko: "카드 번호", en: "Card number")
    package static let expiry = LocalizedText(ko: "유효기간 (MM/YY)", en: "Expiry (MM/YY)")
    package static let expiryPicker = LocalizedText(ko: "달력에서 고르기", en: "Pick month and year")
    package static let month = LocalizedText(ko: "월", en: "Month")
    package static let year = LocalizedText(ko: "년", en: "Year")
    package static let cvc = LocalizedText(
        ko: "CVC (카드 뒷면 3자리, 아멕스는 앞면 4자리)", en: "CVC (3 digits on the back; Amex: 4 on the front)")
    package static let identity = LocalizedText(
        ko: "생년월일 6자리 (법인카드는 사업자등록번호 10자리)",
        en: "Date of birth, YYMMDD (corporate cards: 10-digit business number)")
    package static let password = LocalizedText(ko: "카드 비밀번호 앞 2자리", en: "First 2 digits of the card PIN")
    package static let installment = LocalizedText(ko: "할부", en: "Instalments")
    package static let pay = LocalizedText(ko: "결제하기", en: "Pay")
    package static let paying = LocalizedText(ko: "결제 중입니다…", en: "Paying…")
    package static let switchLanguage = LocalizedText(ko: "English", en: "한국어")
    package static let secureNote = LocalizedText(
        ko: "카드 정보는 암호화되어 전송되며, CVC·비밀번호·생년월일은 저장하지 않습니다.",
        en: "Card details are sent encrypted; the CVC, PIN digits and date of birth are never stored.")
    package static let approved = LocalizedText(ko: "결제가 완료되었습니다", en: "Payment complete")
    package static let approvalNumber = LocalizedText(ko: "승인번호", en: "Approval number")
    package static let card = LocalizedText(ko: "카드", en: "Card")
    package static let receipt = LocalizedText(ko: "영수증 보기", en: "View receipt")
    package static let afterApproval = LocalizedText(
        ko: "결제 내역은 카드사 문자로도 안내됩니다. 이 창은 닫으셔도 됩니다.",
        en: "Your card company will also notify you. You can close this page.")
    package static let failed = LocalizedText(ko: "결제하지 못했습니다", en: "The payment did not go through")
    package static let retry = LocalizedText(ko: "다시 결제하기", en: "Try again")
    package static let help = LocalizedText(ko: "자세한 안내", en: "More help")
    package static let support = LocalizedText(
        ko: "문제가 계속되면 가맹점에 문의해 주세요.", en: "If this keeps happening, please contact the shop.")
    package static let linkUnavailable = LocalizedText(ko: "결제할 수 없는 링크입니다", en: "This link cannot be paid")
    package static let linkLocked = LocalizedText(
        ko: "이 결제 링크는 결제가 여러 번 거절되어 잠시 잠겼습니다. 결제를 이어 가시려면 상점에 문의해 주세요.",
        en: "This payment link has been paused after several declined payments. Please contact the shop to go on.")
    package static let testPayNotice = LocalizedText(
        ko: "테스트 결제 화면입니다. 실제 카드로 결제되지 않고 청구되는 금액도 없습니다.",
        en: "This is a test payment page. No real card is charged.")
    package static let testReceiptNotice = LocalizedText(
        ko: "테스트 결제의 전표입니다. 실제로 청구된 금액은 없습니다.",
        en: "This receipt is for a test payment. Nothing was charged.")
    package static let receiptTitle = LocalizedText(ko: "카드 매출전표", en: "Card receipt")
    package static let merchant = LocalizedText(ko: "가맹점", en: "Merchant")
    package static let approvedAt = LocalizedText(ko: "거래일시", en: "Date")
    package static let cardCompany = LocalizedText(ko: "카드사", en: "Card company")
    package static let supplyAmount = LocalizedText(ko: "공급가액", en: "Supply amount")
    package static let vat = LocalizedText(ko: "부가세", en: "VAT")
    package static let taxFreeAmount = LocalizedText(ko: "면세 금액", en: "Tax-free amount")
    package static let total = LocalizedText(ko: "합계", en: "Total")
    package static let status = LocalizedText(ko: "상태", en: "Status")
    package static let cancellations = LocalizedText(ko: "취소 내역", en: "Cancellations")
    package static let balance = LocalizedText(ko: "남은 금액", en: "Remaining")
    package static let print = LocalizedText(ko: "인쇄", en: "Print")
    package static let helpTitle = LocalizedText(ko: "도움말", en: "Help")
    package static let search = LocalizedText(ko: "검색", en: "Search")
    package static let whatHappened = LocalizedText(ko: "무슨 일인가요 · 가맹점 안내", en: "What happened · for the merchant")
    package static let customerCanDo = LocalizedText(ko: "고객님이 하실 일", en: "What the customer can do")
    package static let retryRule = LocalizedText(ko: "다시 시도", en: "Retrying")
    package static let generalQuestions = LocalizedText(ko: "자주 묻는 질문", en: "Frequently asked questions")
    package static let errorCodes = LocalizedText(ko: "오류 코드별 안내", en: "Error codes")
    package static let noResults = LocalizedText(ko: "찾는 내용이 없습니다.", en: "Nothing matches.")

    package static let feedbackQuestion = LocalizedText(ko: "이번 결제는 어떠셨나요?", en: "How was paying today?")
    package static let feedbackComment = LocalizedText(ko: "하고 싶은 말 (선택)", en: "Anything to add? (optional)")
    package static let feedbackThanks = LocalizedText(ko: "의견 감사합니다.", en: "Thank you for your feedback.")
    package static let inquiry = LocalizedText(ko: "가맹점에 문의하기", en: "Ask the shop")
    package static let inquiryContact = LocalizedText(
        ko: "답변 받을 휴대폰 번호 또는 이메일", en: "Phone number or e-mail for the answer")
    package static let inquiryMessage = LocalizedText(ko: "문의 내용", en: "Your question")
    package static let inquirySend = LocalizedText(ko: "문의 보내기", en: "Send")
    package static let inquirySent = LocalizedText(
        ko: "문의를 보냈습니다. 답변은 남기신 연락처로 드립니다.", en: "Sent. The shop will answer at the contact you gave.")
    package static let supportContact = LocalizedText(ko: "고객센터", en: "Customer service")
    package static let chat = LocalizedText(ko: "채팅 상담", en: "Chat with the shop")
    package static let chatContact = LocalizedText(ko: "답변 받을 연락처 (선택)", en: "Phone or e-mail for an answer (optional)")
    package static let chatMessage = LocalizedText(ko: "메시지", en: "Message")
    package static let chatSend = LocalizedText(ko: "보내기", en: "Send")
    package static let chatOnline = LocalizedText(ko: "상담 직원과 연결되었습니다.", en: "You are connected to the shop's staff.")
    package static let chatOffline = LocalizedText(
        ko: "지금은 상담 직원이 없습니다. 메시지를 남기시면 문의로 접수됩니다.",
        en: "No one is available right now; your message will be saved as an inquiry.")

    package static func status(_ status: PaymentStatus) -> LocalizedText {
        switch status {
        case .waitingForAuthentication: LocalizedText(ko: "본인 인증 대기", en: "Waiting for card verification")
        case .inProgress: LocalizedText(ko: "처리 중", en: "In progress")
        case .waitingForCapture: LocalizedText(ko: "승인 (매입 대기)", en: "Authorized")
        case .done: LocalizedText(ko: "승인", en: "Approved")
        case .partialCanceled: LocalizedText(ko: "부분 취소", en: "Partly cancelled")
        case .canceled: LocalizedText(ko: "취소", en: "Cancelled")
        case .aborted: LocalizedText(ko: "실패", en: "Failed")
        }
    }
}

extension PageText {
    package static let verifying = LocalizedText(
        ko: "카드사 본인 인증 화면으로 이동합니다…", en: "Taking you to your card company's verification…")
    package static let verificationTitle = LocalizedText(ko: "카드 본인 인증", en: "Card verification")
    package static let verificationOpen = LocalizedText(
        ko: "카드사 본인 인증이 아직 끝나지 않았습니다. 인증 화면으로 돌아가 마무리해 주세요.",
        en: "Your card company's verification is not finished yet. Please go back and complete it.")
    package static let backToVerification = LocalizedText(ko: "인증 화면으로 돌아가기", en: "Back to verification")
    package static let processing = LocalizedText(
        ko: "인증을 마쳤고 카드사에 결제를 요청하고 있습니다. 잠시 후 이 화면을 새로 고쳐 주세요.",
        en: "Verification is done and the payment is with your card company. Please reload this page in a moment.")
    package static let reload = LocalizedText(ko: "새로 고침", en: "Reload")
}
