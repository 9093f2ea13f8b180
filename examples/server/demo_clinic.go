package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
)

// The demo clinic: two branches in Moscow, six specialists, twelve services.
// IDs are stable, so documentation and tests can name them.
const (
	demoBranchCenter = "branch-tverskaya"
	demoBranchWest   = "branch-kutuzovsky"
)

func hm(h, m int) booking.Clock { return booking.Clock(h*60 + m) }

// weekdays returns a Week with the same intervals Monday to Friday, and
// optionally Saturday.
func weekdays(saturday bool, ivs ...booking.Interval) booking.Week {
	var w booking.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = ivs
	}
	if saturday {
		w[time.Saturday] = ivs
	}
	return w
}

func rub(r int64) booking.Money { return booking.Money{Amount: r * 100, Currency: "RUB"} }

func demoServices() []booking.Service {
	both := []string{demoBranchCenter, demoBranchWest}
	svc := func(id, name, category string, minutes int, price int64, before, after int, tags ...string) booking.Service {
		return booking.Service{
			ID: id, Name: name, Category: category, Duration: time.Duration(minutes) * time.Minute, Price: rub(price),
			BufferBefore: time.Duration(before) * time.Minute, BufferAfter: time.Duration(after) * time.Minute,
			BranchIDs: both, Tags: tags, Active: true, OnlineBooking: true,
		}
	}
	// Tags are what the recommendation engine and the booking check read:
	// the questionnaire's skin types (every suitable one, or none for
	// all), concerns and contraindications, and free tags.
	peel := []string{"pregnancy", "breastfeeding", "isotretinoin", "sunburn", "active_herpes", "skin_infection"}
	injection := []string{"pregnancy", "breastfeeding", "anticoagulants", "skin_infection", "active_herpes"}
	laser := []string{"pregnancy", "isotretinoin", "sunburn"}
	with := func(tags []string, more ...string) []string { return append(append([]string{}, tags...), more...) }
	list := []booking.Service{
		svc("svc-consultation", "Консультация косметолога", "consultation", 30, 2000, 0, 0),
		svc("svc-derm-consultation", "Консультация дерматолога", "consultation", 30, 3000, 0, 0, "acne", "rosacea", "pigmentation", "dermatologist"),
		svc("svc-cleansing", "Комбинированная чистка лица", "cleansing", 90, 5500, 0, 15, "oily", "combination", "acne", "enlarged_pores",
			"mechanical_cleansing"),
		svc("svc-peel-almond", "Миндальный пилинг", "peel", 45, 3500, 0, 10, with(peel, "dullness", "pigmentation", "chemical_peel",
			"superficial_peel")...),
		svc("svc-peel-tca", "Срединный пилинг TCA", "peel", 60, 9000, 0, 15, with(peel, "normal", "dry", "oily", "combination",
			"wrinkles", "post_acne", "pigmentation", "chemical_peel", "deep_peel")...),
		svc("svc-biorevitalization", "Биоревитализация", "injection", 45, 12000, 0, 15, with(injection, "dehydration", "wrinkles",
			"loss_of_firmness", "injectable")...),
		svc("svc-botox", "Ботулинотерапия (лоб и межбровье)", "injection", 30, 15000, 0, 10, with(injection, "wrinkles", "injectable")...),
		svc("svc-laser-hair", "Лазерная эпиляция (голени)", "laser", 60, 6500, 5, 10, with(laser, "laser", "energy_based",
			"laser_light_skin_only")...),
		svc("svc-laser-rejuvenation", "Лазерное омоложение", "laser", 45, 14000, 5, 10, with(laser, "wrinkles", "pigmentation", "laser",
			"energy_based", "ablative")...),
		svc("svc-microcurrent", "Микротоковая терапия", "hardware", 40, 4000, 0, 10, "loss_of_firmness", "dullness", "energy_based",
			"microcurrent", "pacemaker", "pregnancy"),
		svc("svc-massage", "Массаж лица", "massage", 45, 3500, 0, 10, "loss_of_firmness"),
		svc("svc-mask-hydration", "Увлажняющий уход с альгинатной маской", "care", 60, 4500, 0, 10, "normal", "dry", "combination",
			"sensitive", "dehydration"),
	}
	for i := range list {
		if list[i].Category == "laser" {
			list[i].ResourceKinds = []string{"laser_room"}
		}
		switch list[i].ID {
		case "svc-peel-almond": // a course of superficial peels, every 10 days
			list[i].CourseInterval = 10 * 24 * time.Hour
		case "svc-biorevitalization": // 3–4 sessions two weeks apart
			list[i].CourseInterval = 14 * 24 * time.Hour
		case "svc-laser-hair": // hair grows in cycles: every 6 weeks
			list[i].CourseInterval = 42 * 24 * time.Hour
		case "svc-microcurrent", "svc-massage":
			list[i].CourseInterval = 7 * 24 * time.Hour
		}
	}
	list[6].NeedsConfirmation = true // botulinum therapy: the doctor confirms after reading the questionnaire
	return list
}

// demoAftercare are the demo clinic's care follow-ups after a completed
// visit: the day after a procedure that leaves the skin reacting for a while
// (peels, cleansing, laser, injections) the client is asked how the skin
// is, and a week after peels, laser and biorevitalisation — once the result
// shows — reminded to take a control photo. Consultations, massage,
// microcurrents and care masks get none.
func demoAftercare() map[string][]cabinet.FollowUp {
	check := cabinet.FollowUp{After: 24 * time.Hour, Kind: notify.KindAftercareCheck}
	photo := cabinet.FollowUp{After: 7 * 24 * time.Hour, Kind: notify.KindAftercarePhoto}
	return map[string][]cabinet.FollowUp{
		"category:peel":      {check, photo},
		"category:laser":     {check, photo},
		"category:cleansing": {check},
		"category:injection": {check},
		// Biorevitalisation is an injection too; the service ID wins over
		// its category, so it repeats the check.
		"svc-biorevitalization": {check, photo},
	}
}

// loadDemoClinic writes the demo clinic into an empty catalog and reports
// whether it did. doctorUserID links the demo specialist account to a
// specialist, so "doctor@clinic.example" sees their own schedule.
func loadDemoClinic(ctx context.Context, st booking.Store, today booking.Date, doctorUserID string) (bool, error) {
	existing, err := st.Branches(ctx)
	if err != nil {
		return false, fmt.Errorf("demo clinic: %w", err)
	}
	if len(existing) > 0 {
		return false, nil
	}
	opening := weekdays(true, booking.Interval{Start: hm(9, 0), End: hm(21, 0)})
	opening[time.Sunday] = []booking.Interval{{Start: hm(10, 0), End: hm(18, 0)}}
	holidays := russianHolidays(today.Year, today.Year+1)
	branches := []booking.Branch{
		{ID: demoBranchCenter, Name: "Клиника на Тверской", Address: "Москва, ул. Тверская, д. 12, стр. 1",
			Phone: "+7 495 123-45-67", TimeZone: "Europe/Moscow", Opening: opening, Holidays: holidays, Active: true},
		{ID: demoBranchWest, Name: "Клиника на Кутузовском", Address: "Москва, Кутузовский пр-т, д. 30",
			Phone: "+7 495 765-43-21", TimeZone: "Europe/Moscow", Opening: opening, Holidays: holidays, Active: true},
	}
	for _, b := range branches {
		if err := st.UpsertBranch(ctx, b); err != nil {
			return false, fmt.Errorf("demo clinic: branch %s: %w", b.ID, err)
		}
		if err := st.UpsertResource(ctx, booking.Resource{ID: b.ID + "-laser", BranchID: b.ID, Kind: "laser_room",
			Name: "Лазерный кабинет", Active: true}); err != nil {
			return false, fmt.Errorf("demo clinic: resource: %w", err)
		}
	}
	services := demoServices()
	for _, s := range services {
		if err := st.UpsertService(ctx, s); err != nil {
			return false, fmt.Errorf("demo clinic: service %s: %w", s.ID, err)
		}
	}
	does := func(ids ...string) []booking.SpecialistService {
		out := make([]booking.SpecialistService, len(ids))
		for i, id := range ids {
			out[i] = booking.SpecialistService{ServiceID: id}
		}
		return out
	}
	type spec struct {
		booking.Specialist
		week booking.Week
	}
	morning := weekdays(false, booking.Interval{Start: hm(9, 0), End: hm(13, 0)}, booking.Interval{Start: hm(14, 0), End: hm(18, 0)})
	evening := weekdays(true, booking.Interval{Start: hm(12, 0), End: hm(16, 0)}, booking.Interval{Start: hm(16, 30), End: hm(21, 0)})
	specs := []spec{
		{booking.Specialist{ID: "spec-ivanova", UserID: doctorUserID, Name: "Мария Иванова", Title: "Врач-косметолог",
			BranchIDs: []string{demoBranchCenter},
			Services:  does("svc-consultation", "svc-peel-almond", "svc-peel-tca", "svc-biorevitalization", "svc-botox", "svc-cleansing")}, morning},
		{booking.Specialist{ID: "spec-petrov", Name: "Алексей Петров", Title: "Врач-дерматолог",
			BranchIDs: []string{demoBranchCenter, demoBranchWest},
			Services:  does("svc-derm-consultation", "svc-peel-tca", "svc-laser-rejuvenation")}, evening},
		{booking.Specialist{ID: "spec-smirnova", Name: "Елена Смирнова", Title: "Косметолог-эстетист",
			BranchIDs: []string{demoBranchCenter},
			Services:  does("svc-cleansing", "svc-peel-almond", "svc-massage", "svc-mask-hydration", "svc-microcurrent")}, evening},
		{booking.Specialist{ID: "spec-kuznetsova", Name: "Ольга Кузнецова", Title: "Специалист по лазерной эпиляции",
			BranchIDs: []string{demoBranchCenter, demoBranchWest},
			Services:  []booking.SpecialistService{{ServiceID: "svc-laser-hair"}, {ServiceID: "svc-laser-rejuvenation", Duration: 60 * time.Minute}}}, morning},
		{booking.Specialist{ID: "spec-volkova", Name: "Анна Волкова", Title: "Врач-косметолог",
			BranchIDs: []string{demoBranchWest},
			Services:  does("svc-consultation", "svc-biorevitalization", "svc-botox", "svc-peel-almond", "svc-mask-hydration")}, morning},
		{booking.Specialist{ID: "spec-sokolov", Name: "Дмитрий Соколов", Title: "Массажист",
			BranchIDs: []string{demoBranchWest},
			Services:  does("svc-massage", "svc-microcurrent", "svc-cleansing")}, evening},
	}
	for _, sp := range specs {
		sp.Active = true
		if err := st.UpsertSpecialist(ctx, sp.Specialist); err != nil {
			return false, fmt.Errorf("demo clinic: specialist %s: %w", sp.ID, err)
		}
		for _, b := range sp.BranchIDs {
			plan := booking.WorkingPlan{ID: "plan-" + sp.ID + "-" + b, SpecialistID: sp.ID, BranchID: b,
				Week: sp.week, From: today, To: today.AddDays(60)}
			if len(sp.BranchIDs) > 1 && b == demoBranchWest {
				// Two branches: the western one on Tuesdays and Thursdays only,
				// the centre on the other days.
				plan.Week = onlyDays(sp.week, time.Tuesday, time.Thursday)
			} else if len(sp.BranchIDs) > 1 {
				plan.Week = withoutDays(sp.week, time.Tuesday, time.Thursday)
			}
			if err := st.SetWorkingPlan(ctx, plan); err != nil {
				return false, fmt.Errorf("demo clinic: plan %s: %w", plan.ID, err)
			}
		}
	}
	// A vacation, so the schedule looks like a real one.
	if err := st.AddException(ctx, booking.Exception{ID: "exc-volkova-vacation", SpecialistID: "spec-volkova",
		Kind: booking.ExceptionVacation, From: today.AddDays(20), To: today.AddDays(26), Note: "Отпуск"}); err != nil {
		return false, fmt.Errorf("demo clinic: exception: %w", err)
	}
	return true, nil
}

func onlyDays(w booking.Week, days ...time.Weekday) booking.Week {
	var out booking.Week
	for _, d := range days {
		out[d] = w[d]
	}
	return out
}

func withoutDays(w booking.Week, days ...time.Weekday) booking.Week {
	out := w
	for _, d := range days {
		out[d] = nil
	}
	return out
}

// withSunday adds a Sunday shift (10:00–18:00, when the branches are open).
func withSunday(w booking.Week) booking.Week {
	w[time.Sunday] = []booking.Interval{{Start: hm(10, 0), End: hm(18, 0)}}
	return w
}

// russianHolidays are the fixed public holidays of Russia (the New Year
// holidays, 23 February, 8 March, 1 and 9 May, 12 June, 4 November) of the
// years given; the branches are closed on them.
func russianHolidays(years ...int) []booking.Date {
	var out []booking.Date
	for _, y := range years {
		for d := 1; d <= 8; d++ {
			out = append(out, booking.Date{Year: y, Month: time.January, Day: d})
		}
		out = append(out,
			booking.Date{Year: y, Month: time.February, Day: 23}, booking.Date{Year: y, Month: time.March, Day: 8},
			booking.Date{Year: y, Month: time.May, Day: 1}, booking.Date{Year: y, Month: time.May, Day: 9},
			booking.Date{Year: y, Month: time.June, Day: 12}, booking.Date{Year: y, Month: time.November, Day: 4})
	}
	return out
}
