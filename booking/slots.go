package booking

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// SlotQuery describes one search.
//
// From and To bound the branch-local days searched (inclusive; a zero Date
// leaves that side bounded only by Notice and Horizon). Notice, Horizon and
// Grid are used as given: the caller applies its defaults (2h, 60 days, 15m).
// Location must be set, Grid must be a positive whole number of minutes, Now
// in the years 1900–2100 and Horizon at most 100 years; otherwise FindSlots
// returns nothing and Check returns a *ValidationError naming the field
// ("location", "grid", "now", "horizon") with ErrInvalidInput.
type SlotQuery struct {
	Service     Service
	Branch      Branch
	Location    *time.Location // the branch's zone, loaded by the caller
	Specialists []Specialist   // candidates (one, or "any": all who perform the service in the branch)
	From, To    Date           // inclusive, branch-local days
	Now         time.Time
	Notice      time.Duration // minimum notice before a start (default used by the caller: 2h)
	Horizon     time.Duration // no start later than Now+Horizon (caller default 60 days)
	Grid        time.Duration // starts are on this grid from local midnight (caller default 15m)
}

// Schedule is what the store knows about the range (the caller loads it).
// Entries about other specialists, other branches' plans and other resources
// are ignored, so a caller may pass more than needed.
type Schedule struct {
	Plans      []WorkingPlan // of the candidates
	Exceptions []Exception   // of the candidates
	Booked     []Appointment // active appointments of the candidates or of the branch's resources
	Resources  []Resource    // the branch's resources
	External   []Busy        // from a BusySource
}

// FindSlots returns every start at which the service fits completely, ordered
// by start. It is a pure function of its arguments: no I/O, no clock.
//
// A start S with specialist P, service time D (P's own duration for the
// service, else the service's) and block [S−BufferBefore, S+D+BufferAfter)
// is offered when:
//
//   - P is active and performs the service (other candidates are skipped);
//   - the block lies inside one of P's working intervals of S's local day:
//     the intervals of P's plans for this branch valid that day (breaks are the
//     gaps between them), minus the absences covering the day (day off,
//     vacation, sick leave: the whole day when they have no Intervals, else
//     those intervals; an absence with an empty BranchID applies in every
//     branch), plus the extra shifts in this branch covering the day (added
//     after the absences are removed, so an extra shift overrides an
//     absence), intersected with the branch's Opening for that weekday; the
//     day is not one of the branch's Holidays; touching intervals join;
//   - the block overlaps none of P's active Booked blocks nor P's External
//     busy time (half-open: touching is not overlapping);
//   - for each entry of Service.ResourceKinds, an active resource of that
//     kind in the branch is free for the block (its Booked blocks and External
//     busy time): the first free by ID is taken, a distinct one per entry;
//   - Now+Notice ≤ S ≤ Now+Horizon, S is on the grid, and S's local day is in
//     [From, To].
//
// With several candidates each start appears once, with the candidate that is
// least loaded on that local day (the service time of their active Booked
// appointments starting that day, in any branch), ties broken by specialist
// ID, among those for whom it fits.
//
// Time zones. Plans, exceptions and opening hours are wall-clock times in
// q.Location on the local day; Slot.Start and Slot.End are instants in UTC;
// durations and buffers are absolute (End = Start + D in real time). The rules
// across DST changes:
//
//   - A wall-clock boundary c of day d is the earliest instant of d at which
//     the branch's clock reads c or later. On a spring-forward day every
//     skipped time (02:00–03:00 in Europe/Berlin on 2026-03-29) is the instant
//     of the change, so an interval inside the gap is empty and 01:00–04:00
//     lasts two real hours. On a fall-back day a repeated time is its first
//     occurrence, so 00:00–06:00 lasts seven real hours and an interval ending
//     at 02:30 ends at the first 02:30. 24:00 is the first instant of the next
//     day. (Clock.On is not used: time.Date picks either occurrence of a
//     repeated time, and moves a skipped one forward or back, depending on
//     the zone.)
//   - The candidate starts of day d are the instants whose local date is d and
//     whose wall-clock time is a whole multiple of Grid after midnight. A
//     skipped wall time has no instant, so it is never a start; a repeated one
//     gives two different instants (01:30 EDT and 01:30 EST in
//     America/New_York on 2026-11-01), both candidates, each checked with
//     absolute durations: a 60-minute service from 01:30 EDT ends at 01:30
//     EST. Instants are never duplicated.
func FindSlots(q SlotQuery, s Schedule) []Slot {
	if q.validate() != nil {
		return nil
	}
	lo, hi := q.Now.Add(q.Notice), q.Now.Add(q.Horizon)
	if hi.Before(lo) {
		return nil
	}
	first, last := DateOf(lo, q.Location), DateOf(hi, q.Location)
	if !q.From.IsZero() && dateKey(first) < dateKey(q.From) {
		first = q.From
	}
	if !q.To.IsZero() && dateKey(q.To) < dateKey(last) {
		last = q.To
	}
	if dateKey(last) < dateKey(first) {
		return nil
	}
	sr := newSearcher(q, s, first, last, "")
	if len(sr.specs) == 0 {
		return nil
	}
	loNs := lo.UnixNano()
	hiNs := sr.days[len(sr.days)-1].end
	if hi.Before(time.Unix(0, hiNs)) {
		hiNs = hi.UnixNano()
	}

	var (
		out    = make([]Slot, 0, 64)
		free   []span
		hbuf   []span
		order  []ranked
		starts []int64
		chunk  []string // backing store for the slots' ResourceIDs
	)
	for di := range sr.days {
		ld := &sr.days[di]
		open := sr.openOn(ld)
		if len(open) == 0 {
			continue
		}
		free, order = free[:0], order[:0]
		for i := range sr.specs {
			hbuf = sr.hours(hbuf[:0], &sr.specs[i], ld, open)
			if len(hbuf) == 0 {
				continue
			}
			from := len(free)
			free = subtractSpans(free, hbuf, sr.specs[i].busy)
			if len(free) > from {
				order = append(order, ranked{spec: i, lo: from, hi: len(free), load: sr.load(i, di)})
			}
		}
		if len(order) == 0 {
			continue
		}
		sr.rank(order)
		starts = ld.gridStarts(starts[:0], int64(q.Grid), loNs, hiNs)
		for _, st := range starts {
			for k := range order {
				c := &order[k]
				p := &sr.specs[c.spec]
				bs, be := st-sr.before, st+p.dur+sr.after
				// Starts ascend, so a free span that ends by bs is done with:
				// c.lo walks to the only span that may hold the block.
				for c.lo < c.hi && free[c.lo].end <= bs {
					c.lo++
				}
				if c.lo == c.hi || free[c.lo].start > bs || free[c.lo].end < be || !sr.pickResources(bs, be) {
					continue
				}
				var ids []string
				if n := len(sr.chosen); n > 0 {
					if cap(chunk)-len(chunk) < n {
						chunk = make([]string, 0, max(256, n))
					}
					ids = chunk[len(chunk) : len(chunk)+n : len(chunk)+n]
					chunk = chunk[:len(chunk)+n]
					for j, r := range sr.chosen {
						ids[j] = sr.res[r].id
					}
				}
				out = append(out, Slot{
					Start:        time.Unix(0, st).UTC(),
					End:          time.Unix(0, st+p.dur).UTC(),
					SpecialistID: p.id,
					ResourceIDs:  ids,
				})
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Check validates one requested start for a given specialist (or "" for any
// candidate) under the rules of FindSlots, and returns the slot FindSlots
// would return for that start (with the chosen specialist and resources), or
// a classified error, tested in this order:
//
//   - *ValidationError{Field: "specialist_id", Err: ErrInvalidInput} — the ID
//     is not an active candidate that performs the service (with "": no
//     candidate is);
//   - *ValidationError{Field: "start", Err: ErrInPast} — before Now+Notice;
//   - *ValidationError{Field: "start", Err: ErrInvalidInput} — off the grid,
//     past the horizon, or its local day outside [From, To];
//   - *ValidationError{Field: "start", Err: ErrOutsideWorkingHours} — the
//     service with its buffers does not fit any candidate's hours, the
//     branch's opening hours, exceptions or holidays at that time;
//   - ErrSlotTaken — within hours but blocked by a booking, a resource, or
//     External busy time.
func Check(q SlotQuery, s Schedule, start time.Time, specialistID string) (Slot, error) {
	if err := q.validate(); err != nil {
		return Slot{}, err
	}
	if !slices.ContainsFunc(q.Specialists, func(p Specialist) bool {
		return (specialistID == "" || p.ID == specialistID) && eligible(p, q.Service)
	}) {
		return Slot{}, &ValidationError{Field: "specialist_id", Message: "does not perform this service", Err: ErrInvalidInput}
	}
	if start.Before(q.Now.Add(q.Notice)) {
		return Slot{}, &ValidationError{Field: "start", Message: "is earlier than the minimum notice allows", Err: ErrInPast}
	}
	lt := start.In(q.Location)
	h, m, sec := lt.Clock()
	since := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(lt.Nanosecond())
	if since%q.Grid != 0 {
		return Slot{}, &ValidationError{Field: "start", Message: fmt.Sprintf("is not on the %d-minute grid", q.Grid/time.Minute), Err: ErrInvalidInput}
	}
	if start.After(q.Now.Add(q.Horizon)) {
		return Slot{}, &ValidationError{Field: "start", Message: "is beyond the booking horizon", Err: ErrInvalidInput}
	}
	d := DateOf(start, q.Location)
	if (!q.From.IsZero() && dateKey(d) < dateKey(q.From)) || (!q.To.IsZero() && dateKey(q.To) < dateKey(d)) {
		return Slot{}, &ValidationError{Field: "start", Message: "is outside the requested dates", Err: ErrInvalidInput}
	}

	sr := newSearcher(q, s, d, d, specialistID)
	ld := &sr.days[0]
	st := start.UnixNano()
	var fits []ranked
	if open := sr.openOn(ld); len(open) > 0 {
		var hbuf []span
		for i := range sr.specs {
			p := &sr.specs[i]
			hbuf = sr.hours(hbuf[:0], p, ld, open)
			if containsSpan(hbuf, st-sr.before, st+p.dur+sr.after) {
				fits = append(fits, ranked{spec: i, load: sr.load(i, 0)})
			}
		}
	}
	if len(fits) == 0 {
		return Slot{}, &ValidationError{Field: "start", Message: "is outside working hours", Err: ErrOutsideWorkingHours}
	}
	sr.rank(fits)
	for _, c := range fits {
		p := &sr.specs[c.spec]
		bs, be := st-sr.before, st+p.dur+sr.after
		if overlapsSpan(p.busy, bs, be) || !sr.pickResources(bs, be) {
			continue
		}
		slot := Slot{Start: time.Unix(0, st).UTC(), End: time.Unix(0, st+p.dur).UTC(), SpecialistID: p.id}
		for _, r := range sr.chosen {
			slot.ResourceIDs = append(slot.ResourceIDs, sr.res[r].id)
		}
		return slot, nil
	}
	return Slot{}, ErrSlotTaken
}

// Nearest returns up to n slots closest in time to t, on either side, for the
// alternatives of a 409. slots must be ordered by start, as FindSlots returns
// them. Of two slots equally far from t the earlier wins. The result is a new
// slice, ordered by start.
func Nearest(slots []Slot, t time.Time, n int) []Slot {
	if n <= 0 || len(slots) == 0 {
		return nil
	}
	i, _ := slices.BinarySearchFunc(slots, t, func(s Slot, t time.Time) int { return s.Start.Compare(t) })
	lo, hi := i, i // the window [lo, hi) grows towards the nearer neighbour
	for hi-lo < n && (lo > 0 || hi < len(slots)) {
		switch {
		case lo == 0:
			hi++
		case hi == len(slots):
			lo--
		case t.Sub(slots[lo-1].Start) <= slots[hi].Start.Sub(t):
			lo--
		default:
			hi++
		}
	}
	return slices.Clone(slots[lo:hi])
}

// eligible reports whether p can be offered for svc at all.
func eligible(p Specialist, svc Service) bool {
	d, ok := p.Performs(svc)
	return p.Active && ok && d > 0
}

func (q *SlotQuery) validate() error {
	if q.Location == nil {
		return &ValidationError{Field: "location", Message: "is required", Err: ErrInvalidInput}
	}
	if q.Grid < time.Minute || q.Grid%time.Minute != 0 {
		return &ValidationError{Field: "grid", Message: "must be a positive whole number of minutes", Err: ErrInvalidInput}
	}
	// Instants are compared as Unix nanoseconds (years 1678–2262).
	if y := q.Now.Year(); y < 1900 || y > 2100 {
		return &ValidationError{Field: "now", Message: "must be a year from 1900 to 2100", Err: ErrInvalidInput}
	}
	if q.Horizon > maxHorizon {
		return &ValidationError{Field: "horizon", Message: "must be at most 100 years", Err: ErrInvalidInput}
	}
	return nil
}

const (
	maxHorizon = 100 * 366 * 24 * time.Hour
	minuteNs   = int64(time.Minute)
	dayNs      = 24 * int64(time.Hour)
	dayMinutes = Clock(24 * 60)
)

// dateKey orders dates as integers (YYYYMMDD).
func dateKey(d Date) int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// span is a half-open range of instants [start, end) in Unix nanoseconds.
type span struct{ start, end int64 }

// zoneSeg is a stretch of instants [start, end) with one UTC offset (ns).
type zoneSeg struct{ start, end, off int64 }

// localDay is one calendar day in the branch's zone.
type localDay struct {
	date       Date
	mid        int64 // the wall-clock midnight of date, read as if it were UTC (Unix ns)
	start, end int64 // the first instant of date and of the next day
	segs       []zoneSeg
}

// newLocalDay measures day d in loc, appending its zone segments to segs.
func newLocalDay(d Date, loc *time.Location, segs []zoneSeg) (localDay, []zoneSeg) {
	mid := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).UnixNano()
	ld := localDay{date: d, mid: mid, start: firstWallAtOrAfter(loc, mid), end: firstWallAtOrAfter(loc, mid+dayNs)}
	from := len(segs)
	for x := ld.start; x < ld.end; {
		off, end := zoneAt(loc, x)
		end = min(end, ld.end)
		segs = append(segs, zoneSeg{x, end, off})
		x = end
	}
	ld.segs = segs[from:len(segs):len(segs)]
	return ld, segs
}

// zoneAt returns the UTC offset in force at instant x and the instant it ends
// (MaxInt64 when it never does).
func zoneAt(loc *time.Location, x int64) (off, end int64) {
	t := time.Unix(0, x).In(loc)
	_, o := t.Zone()
	_, e := t.ZoneBounds()
	end = math.MaxInt64
	if !e.IsZero() {
		end = e.UnixNano()
	}
	return int64(o) * int64(time.Second), end
}

// firstWallAtOrAfter returns the earliest instant at which loc's wall clock
// reads wall (a wall-clock time read as if UTC, Unix ns) or later.
func firstWallAtOrAfter(loc *time.Location, wall int64) int64 {
	// No zone is 26 hours ahead of UTC, so every earlier instant reads less.
	for x := wall - 26*int64(time.Hour); ; {
		off, end := zoneAt(loc, x)
		if end == math.MaxInt64 || end+off > wall {
			return max(x, wall-off)
		}
		x = end
	}
}

// at is the instant of wall-clock c on the day: the earliest at which the
// clock reads c or later (see FindSlots).
func (ld *localDay) at(c Clock) int64 {
	w := ld.mid + int64(c)*minuteNs
	for _, s := range ld.segs {
		if s.end+s.off > w {
			return max(s.start, w-s.off)
		}
	}
	return ld.end
}

// gridStarts appends the day's instants in [lo, hi] whose wall-clock time is
// a multiple of grid after midnight, in order.
func (ld *localDay) gridStarts(dst []int64, grid, lo, hi int64) []int64 {
	for _, s := range ld.segs {
		w0 := max(s.start+s.off, ld.mid) - ld.mid
		for w := (w0 + grid - 1) / grid * grid; w < dayNs; w += grid {
			x := ld.mid + w - s.off
			if x >= s.end {
				break
			}
			if x > hi {
				return dst
			}
			if x >= lo {
				dst = append(dst, x)
			}
		}
	}
	return dst
}

// candidate is a specialist with what concerns them, pre-indexed.
type candidate struct {
	id       string
	dur      int64 // service time, ns
	plans    []*WorkingPlan
	absences []*Exception
	extras   []*Exception
	busy     []span // booked blocks and External busy, sorted and merged
}

// resource is a resource of a needed kind, with its busy time.
type resource struct {
	id   string
	busy []span
}

// ranked is a candidate's place in the order of a day; [lo, hi) are its free
// spans in FindSlots' buffer not yet passed.
type ranked struct {
	spec   int
	lo, hi int
	load   int64
}

// searcher holds the schedule indexed for the days [first, last].
type searcher struct {
	before, after int64
	specs         []candidate
	res           []resource
	kinds         [][]int // per Service.ResourceKinds entry: res indexes by ID
	days          []localDay
	loads         []int64 // service time booked: [spec*len(days)+day]
	opening       [7][]Interval
	holidays      []int

	chosen     []int // pickResources' result
	w1, w2, w3 []Interval
}

func newSearcher(q SlotQuery, s Schedule, first, last Date, only string) *searcher {
	sr := &searcher{
		before: int64(max(q.Service.BufferBefore, 0)),
		after:  int64(max(q.Service.BufferAfter, 0)),
	}
	var segs []zoneSeg
	for d := first; dateKey(d) <= dateKey(last); d = d.AddDays(1) {
		var ld localDay
		ld, segs = newLocalDay(d, q.Location, segs)
		sr.days = append(sr.days, ld)
	}
	lo, hi := sr.days[0].start, sr.days[len(sr.days)-1].end

	specIdx := make(map[string]int, len(q.Specialists))
	for _, p := range q.Specialists {
		if _, dup := specIdx[p.ID]; dup || !p.Active || (only != "" && p.ID != only) {
			continue
		}
		if eligible(p, q.Service) {
			d, _ := p.Performs(q.Service)
			specIdx[p.ID] = len(sr.specs)
			sr.specs = append(sr.specs, candidate{id: p.ID, dur: int64(d)})
		}
	}
	if len(sr.specs) == 0 {
		return sr
	}
	for k := range s.Plans {
		p := &s.Plans[k]
		if i, ok := specIdx[p.SpecialistID]; ok && p.BranchID == q.Branch.ID {
			sr.specs[i].plans = append(sr.specs[i].plans, p)
		}
	}
	for k := range s.Exceptions {
		e := &s.Exceptions[k]
		i, ok := specIdx[e.SpecialistID]
		if !ok {
			continue
		}
		switch e.Kind {
		case ExceptionDayOff, ExceptionVacation, ExceptionSickLeave:
			if e.BranchID == "" || e.BranchID == q.Branch.ID {
				sr.specs[i].absences = append(sr.specs[i].absences, e)
			}
		case ExceptionExtraShift:
			if e.BranchID == q.Branch.ID {
				sr.specs[i].extras = append(sr.specs[i].extras, e)
			}
		}
	}

	resIdx := make(map[string]int)
	for _, kind := range q.Service.ResourceKinds {
		var of []int
		for _, r := range s.Resources {
			if r.Kind != kind || !r.Active || r.BranchID != q.Branch.ID {
				continue
			}
			k, ok := resIdx[r.ID]
			if !ok {
				k = len(sr.res)
				resIdx[r.ID] = k
				sr.res = append(sr.res, resource{id: r.ID})
			}
			if !slices.Contains(of, k) {
				of = append(of, k)
			}
		}
		slices.SortFunc(of, func(a, b int) int { return cmp.Compare(sr.res[a].id, sr.res[b].id) })
		sr.kinds = append(sr.kinds, of)
	}

	// Busy time, owned by a candidate (0…) or a resource (len(specs)…),
	// grouped by owner with a counting sort, then sorted and merged.
	nSpec := len(sr.specs)
	nOwn := nSpec + len(sr.res)
	type owned struct {
		owner int
		span
	}
	all := make([]owned, 0, len(s.Booked)+len(s.External))
	sr.loads = make([]int64, nSpec*len(sr.days))
	for k := range s.Booked {
		a := &s.Booked[k]
		if a.Status != "" && !a.Status.Active() {
			continue
		}
		bs, be := a.BlockStart, a.BlockEnd
		if bs.IsZero() || be.IsZero() {
			bs, be = a.Start, a.End
		}
		b := span{bs.UnixNano(), be.UnixNano()}
		inWindow := b.end > b.start && b.end > lo && b.start < hi
		if i, ok := specIdx[a.SpecialistID]; ok {
			if inWindow {
				all = append(all, owned{i, b})
			}
			if st := a.Start.UnixNano(); st >= lo && st < hi {
				di, _ := slices.BinarySearchFunc(sr.days, st, func(d localDay, t int64) int {
					return cmp.Compare(d.end, t+1) // the first day ending after st
				})
				sr.loads[i*len(sr.days)+di] += int64(a.End.Sub(a.Start))
			}
		}
		if inWindow {
			for _, id := range a.ResourceIDs {
				if r, ok := resIdx[id]; ok {
					all = append(all, owned{nSpec + r, b})
				}
			}
		}
	}
	for _, x := range s.External {
		b := span{x.Start.UnixNano(), x.End.UnixNano()}
		if b.end <= b.start || b.end <= lo || b.start >= hi {
			continue
		}
		if i, ok := specIdx[x.SpecialistID]; ok && x.SpecialistID != "" {
			all = append(all, owned{i, b})
		}
		if r, ok := resIdx[x.ResourceID]; ok && x.ResourceID != "" {
			all = append(all, owned{nSpec + r, b})
		}
	}
	bounds := make([]int, nOwn+1)
	for _, o := range all {
		bounds[o.owner+1]++
	}
	for k := 1; k <= nOwn; k++ {
		bounds[k] += bounds[k-1]
	}
	spans := make([]span, len(all))
	next := slices.Clone(bounds[:nOwn])
	for _, o := range all {
		spans[next[o.owner]] = o.span
		next[o.owner]++
	}
	for o := range nOwn {
		b := mergeSpans(spans[bounds[o]:bounds[o+1]:bounds[o+1]])
		if o < nSpec {
			sr.specs[o].busy = b
		} else {
			sr.res[o-nSpec].busy = b
		}
	}

	for wd := range sr.opening {
		sr.opening[wd] = normalizeWall(appendClipped(nil, q.Branch.Opening[wd]))
	}
	for _, h := range q.Branch.Holidays {
		sr.holidays = append(sr.holidays, dateKey(h))
	}
	return sr
}

// openOn returns the branch's opening hours on the day (none on a holiday).
func (sr *searcher) openOn(ld *localDay) []Interval {
	if slices.Contains(sr.holidays, dateKey(ld.date)) {
		return nil
	}
	return sr.opening[ld.date.Weekday()]
}

func (sr *searcher) load(spec, day int) int64 { return sr.loads[spec*len(sr.days)+day] }

// rank orders candidates by the day's load, then by ID.
func (sr *searcher) rank(r []ranked) {
	slices.SortFunc(r, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.load, b.load), cmp.Compare(sr.specs[a.spec].id, sr.specs[b.spec].id))
	})
}

// hours appends p's working time on the day, within open, as instants.
func (sr *searcher) hours(dst []span, p *candidate, ld *localDay, open []Interval) []span {
	dk := dateKey(ld.date)
	wd := ld.date.Weekday()
	covers := func(from, to Date) bool {
		if to.IsZero() {
			to = from
		}
		return dateKey(from) <= dk && dk <= dateKey(to)
	}

	w := sr.w1[:0]
	for _, pl := range p.plans {
		if (pl.From.IsZero() || dateKey(pl.From) <= dk) && (pl.To.IsZero() || dk <= dateKey(pl.To)) {
			w = appendClipped(w, pl.Week[wd])
		}
	}
	w = normalizeWall(w)
	sr.w1 = w

	off := sr.w2[:0]
	for _, e := range p.absences {
		if covers(e.From, e.To) {
			if len(e.Intervals) == 0 {
				off = append(off, Interval{0, dayMinutes})
			} else {
				off = appendClipped(off, e.Intervals)
			}
		}
	}
	sr.w2 = off
	if len(off) > 0 {
		w = subtractWall(sr.w3[:0], w, normalizeWall(off))
		sr.w3 = w
	}

	extra := false
	for _, e := range p.extras {
		if covers(e.From, e.To) {
			w = appendClipped(w, e.Intervals)
			extra = true
		}
	}
	if extra {
		w = normalizeWall(w)
	}
	if len(w) == 0 {
		return dst
	}
	w = intersectWall(sr.w2[:0], w, open)
	sr.w2 = w

	for _, iv := range w {
		s, e := ld.at(iv.Start), ld.at(iv.End)
		if e <= s {
			continue
		}
		if n := len(dst); n > 0 && s <= dst[n-1].end {
			dst[n-1].end = max(dst[n-1].end, e)
			continue
		}
		dst = append(dst, span{s, e})
	}
	return dst
}

// pickResources chooses, for each needed kind, the first resource by ID that
// is free for [bs, be) and not chosen already, into sr.chosen.
func (sr *searcher) pickResources(bs, be int64) bool {
	sr.chosen = sr.chosen[:0]
next:
	for _, of := range sr.kinds {
		for _, r := range of {
			if !slices.Contains(sr.chosen, r) && !overlapsSpan(sr.res[r].busy, bs, be) {
				sr.chosen = append(sr.chosen, r)
				continue next
			}
		}
		return false
	}
	return true
}

// appendClipped appends the non-empty parts of ivs within one day.
func appendClipped(dst, ivs []Interval) []Interval {
	for _, iv := range ivs {
		iv.Start, iv.End = max(iv.Start, 0), min(iv.End, dayMinutes)
		if iv.Start < iv.End {
			dst = append(dst, iv)
		}
	}
	return dst
}

// normalizeWall sorts ivs and joins overlapping or touching ones, in place.
func normalizeWall(ivs []Interval) []Interval {
	slices.SortFunc(ivs, func(a, b Interval) int { return cmp.Compare(a.Start, b.Start) })
	out := ivs[:0]
	for _, iv := range ivs {
		if n := len(out); n > 0 && iv.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, iv.End)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// subtractWall appends a minus b (both normalized) to dst.
func subtractWall(dst, a, b []Interval) []Interval {
	for _, iv := range a {
		s := iv.Start
		for _, x := range b {
			if x.End <= s {
				continue
			}
			if x.Start >= iv.End {
				break
			}
			if x.Start > s {
				dst = append(dst, Interval{s, x.Start})
			}
			s = max(s, x.End)
		}
		if s < iv.End {
			dst = append(dst, Interval{s, iv.End})
		}
	}
	return dst
}

// intersectWall appends a ∩ b (both normalized) to dst.
func intersectWall(dst, a, b []Interval) []Interval {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		s, e := max(a[i].Start, b[j].Start), min(a[i].End, b[j].End)
		if s < e {
			dst = append(dst, Interval{s, e})
		}
		if a[i].End < b[j].End {
			i++
		} else {
			j++
		}
	}
	return dst
}

// mergeSpans sorts spans by start and joins overlapping or touching ones, in
// place, so that the ends increase too.
func mergeSpans(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// subtractSpans appends hours minus busy (merged) to dst.
func subtractSpans(dst, hours, busy []span) []span {
	for _, h := range hours {
		s := h.start
		k, _ := slices.BinarySearchFunc(busy, s, func(b span, t int64) int { return cmp.Compare(b.end, t+1) })
		for ; k < len(busy) && busy[k].start < h.end; k++ {
			if busy[k].start > s {
				dst = append(dst, span{s, busy[k].start})
			}
			s = max(s, busy[k].end)
		}
		if s < h.end {
			dst = append(dst, span{s, h.end})
		}
	}
	return dst
}

// containsSpan reports whether one of spans (disjoint, sorted) holds [s, e).
func containsSpan(spans []span, s, e int64) bool {
	k, _ := slices.BinarySearchFunc(spans, s, func(x span, t int64) int { return cmp.Compare(x.start, t+1) })
	return k > 0 && spans[k-1].end >= e
}

// overlapsSpan reports whether [s, e) overlaps one of busy (merged).
func overlapsSpan(busy []span, s, e int64) bool {
	k, _ := slices.BinarySearchFunc(busy, s, func(b span, t int64) int { return cmp.Compare(b.end, t+1) })
	return k < len(busy) && busy[k].start < e
}
