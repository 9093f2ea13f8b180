package notify

import "time"

// The message kinds Kabinet sends, each a set of templates
// (<kind>.<locale>.<channel>.tmpl and, for e-mail, .html) in ru and en for
// sms, email and push.
const (
	KindCode = "code" // CodeData; sms and email only

	KindAppointmentBooked      = "appointment_booked"      // AppointmentData: confirmed at once
	KindAppointmentPending     = "appointment_pending"     // AppointmentData: waits for the clinic's confirmation
	KindAppointmentConfirmed   = "appointment_confirmed"   // AppointmentData: the clinic confirmed a pending one
	KindAppointmentRescheduled = "appointment_rescheduled" // AppointmentData with OldStart
	KindAppointmentCancelled   = "appointment_cancelled"   // AppointmentData with Reason, ByClinic
	KindReminder               = "reminder"                // AppointmentData with Before

	KindAftercareCheck = "aftercare_check" // FollowUpData: "how is your skin" the day after
	KindAftercarePhoto = "aftercare_photo" // FollowUpData: "time for the control photo"
)

// AppointmentData is the data of the appointment and reminder templates.
// Times are in the branch's zone, so templates show the clinic's wall clock.
type AppointmentData struct {
	ClinicName string
	Service    string
	Specialist string // may be empty
	Branch     string
	Address    string
	Start, End time.Time
	OldStart   time.Time     // rescheduled: the time before the move
	Reason     string        // cancelled: why, when given
	ByClinic   bool          // cancelled: by the clinic, not by the client
	Before     time.Duration // reminder: how long before the start it is sent
	URL        string        // the appointment in the cabinet; may be empty
}

// FollowUpData is the data of the care follow-up templates.
type FollowUpData struct {
	ClinicName string
	Service    string
	Specialist string // may be empty
	Branch     string
	Visit      time.Time     // when the procedure was, in the branch's zone
	After      time.Duration // how long after the visit it is sent
	URL        string        // the cabinet page to open (the skin journal); may be empty
}

// AtDue sets Before (a reminder's "in N hours") to the time from due to the
// start, to the hour (to the minute under an hour).
func (d AppointmentData) AtDue(due time.Time) any {
	if d.Before == 0 || d.Start.IsZero() {
		return d
	}
	left := d.Start.Sub(due)
	if left >= time.Hour {
		d.Before = left.Round(time.Hour)
	} else {
		d.Before = max(left.Round(time.Minute), time.Minute)
	}
	return d
}
