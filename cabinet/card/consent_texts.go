package card

import (
	"fmt"
	"slices"
	"strings"
)

// ConsentText is what a client agrees to when giving a consent: the text,
// in Russian and English, and the version recorded with the consent
// (Consent.TextVersion), so that which words were agreed to can be shown
// later. A clinic replaces the default texts with its lawyer's through
// Config.ConsentTexts, giving each new wording a new version.
type ConsentText struct {
	Type    ConsentType
	Version string
	Title   Text
	// Paragraphs are the text, one paragraph each.
	Paragraphs []Text
}

// Text is a text in Russian and English.
type Text struct {
	RU, EN string
}

// DefaultConsentTextVersion is the version of DefaultConsentTexts.
const DefaultConsentTextVersion = "2026-01"

// DefaultConsentTexts are the texts the cabinet ships, one per consent
// type: plain wording of what the cabinet does with the data. A clinic
// should have its own reviewed (Russian law, 152-FZ, asks for the operator's
// name and address, among other things) and set them in Config.ConsentTexts.
func DefaultConsentTexts() []ConsentText {
	v := DefaultConsentTextVersion
	return []ConsentText{
		{Type: ConsentPersonalData, Version: v,
			Title: Text{RU: "Согласие на обработку персональных данных", EN: "Consent to processing my personal data"},
			Paragraphs: []Text{
				{RU: "Я разрешаю клинике обрабатывать мои персональные данные — имя, дату рождения, телефон, e-mail, записи на приём и покупки — чтобы записывать меня на процедуры, напоминать о них и вести мою карту клиента.",
					EN: "I allow the clinic to process my personal data — name, date of birth, phone, e-mail, appointments and purchases — to book my procedures, remind me of them and keep my client card."},
				{RU: "Согласие действует, пока я пользуюсь кабинетом; его можно отозвать, удалив аккаунт в разделе «Ещё».",
					EN: "The consent lasts while I use the cabinet; I can withdraw it by deleting my account on the “More” page."},
			}},
		{Type: ConsentHealthData, Version: v,
			Title: Text{RU: "Согласие на обработку данных о здоровье", EN: "Consent to processing my health data"},
			Paragraphs: []Text{
				{RU: "Я разрешаю клинике обрабатывать сведения о моём здоровье: тип и состояние кожи, фототип, аллергии, противопоказания, домашний уход и оценки в дневнике кожи.",
					EN: "I allow the clinic to process information about my health: my skin type and condition, phototype, allergies, contraindications, home care and the scores in my skin journal."},
				{RU: "Они нужны, чтобы специалисты подбирали процедуры и уход безопасно для меня. Эти сведения видят я, специалисты клиники, у которых я был(а) или записан(а) на приём, руководители этих филиалов и администраторы клиники; каждый их просмотр записывается в журнал. Клиника не передаёт их третьим лицам.",
					EN: "The specialists need it to choose procedures and care that are safe for me. It is seen by me, by the clinic’s specialists I have had or have appointments with, by the managers of those branches and by the clinic’s administrators; every time they open it is recorded. The clinic does not pass it on to anyone else."},
				{RU: "Согласие можно отозвать в любой момент в разделе «Моя карта»: новые ответы перестанут сохраняться, а сохранённые можно удалить.",
					EN: "I can withdraw this consent at any time on the “My card” page: new answers will no longer be stored, and I can delete those already stored."},
			}},
		{Type: ConsentPhotos, Version: v,
			Title: Text{RU: "Согласие на хранение фотографий", EN: "Consent to keeping my photos"},
			Paragraphs: []Text{
				{RU: "Я разрешаю клинике хранить мои фотографии (лицо и тело), чтобы оценивать результаты процедур. Их видят я, специалисты клиники, у которых я был(а) или записан(а) на приём, руководители этих филиалов и администраторы клиники; каждый их просмотр записывается в журнал.",
					EN: "I allow the clinic to keep my photos (face and body) to assess the results of procedures. They are seen by me, by the clinic’s specialists I have had or have appointments with, by the managers of those branches and by the clinic’s administrators; every time they open them is recorded."},
				{RU: "При загрузке из снимков удаляются все метаданные, в том числе место съёмки. Фото не публикуются и не передаются третьим лицам.",
					EN: "All metadata, the place a photo was taken included, is removed on upload. Photos are never published or passed on to anyone else."},
				{RU: "Согласие можно отозвать в разделе «Моя карта» и там же удалить все фото.",
					EN: "I can withdraw this consent on the “My card” page and delete all my photos there."},
			}},
		{Type: ConsentMarketing, Version: v,
			Title: Text{RU: "Согласие на персональные предложения", EN: "Consent to personal offers"},
			Paragraphs: []Text{
				{RU: "Я хочу получать от клиники персональные предложения и новости о процедурах, которые мне подходят, — по SMS, e-mail или push, как я выберу в настройках уведомлений.",
					EN: "I want to receive personal offers from the clinic and news of procedures that suit me — by SMS, e-mail or push, as I choose in the notification settings."},
				{RU: "Отказаться можно в любой момент в настройках уведомлений; напоминания о записях приходят и без этого согласия.",
					EN: "I can opt out at any time in the notification settings; appointment reminders come without this consent."},
			}},
	}
}

// checkConsentTexts validates texts: known types, each once, a version,
// a title and at least one paragraph in both languages.
func checkConsentTexts(texts []ConsentText) error {
	seen := map[ConsentType]bool{}
	for i, ct := range texts {
		switch {
		case !ct.Type.Valid():
			return fmt.Errorf("ConsentTexts[%d]: unknown type %q", i, ct.Type)
		case seen[ct.Type]:
			return fmt.Errorf("ConsentTexts[%d]: %s given twice", i, ct.Type)
		case strings.TrimSpace(ct.Version) == "" || len(ct.Version) > MaxTextVersionLength || !cleanText(ct.Version):
			return fmt.Errorf("ConsentTexts[%d] (%s): a version of at most %d printable characters is required", i, ct.Type, MaxTextVersionLength)
		case ct.Title.RU == "" || ct.Title.EN == "" || len(ct.Paragraphs) == 0:
			return fmt.Errorf("ConsentTexts[%d] (%s): a title and a text in Russian and English are required", i, ct.Type)
		}
		for j, p := range ct.Paragraphs {
			if p.RU == "" || p.EN == "" {
				return fmt.Errorf("ConsentTexts[%d] (%s): paragraph %d needs Russian and English", i, ct.Type, j)
			}
		}
		seen[ct.Type] = true
	}
	return nil
}

// ConsentTexts returns the texts of the consents in force, in the order of
// ConsentTypes: what a page shows before a client agrees, and whose
// Version it sends back with the grant.
func (s *Service) ConsentTexts() []ConsentText {
	out := slices.Clone(s.cfg.ConsentTexts)
	slices.SortStableFunc(out, func(a, b ConsentText) int {
		return slices.Index(ConsentTypes(), a.Type) - slices.Index(ConsentTypes(), b.Type)
	})
	return out
}
