package checkin

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"github.com/ofhub/ofhub/scanner/result"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/participant"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/slot"
	"github.com/ofhub/ofhub/ent/viewer"
)

// Export formats of the participants export (R-ACT-5).
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// exportPage is how many registrations are read at a time: memory stays
// flat whatever the size of the activity.
const exportPage = 500

// ParticipantsExport is an authorised export of an activity's participants
// (R-ACT-5), ready to be written. It is prepared first so that an HTTP
// handler can refuse cleanly (401/403/404) and name the file before the
// first byte of the body is sent.
type ParticipantsExport struct {
	s        *Service
	Activity *ent.Activity
	Slots    []*ent.Slot
	Lang     string
}

// ExportParticipants writes the participants of an activity to w as CSV or
// XLSX: one row per participant with every field of the registration and
// the participant, the chosen slots and the check-in date and time (Europe/
// Paris), per slot for slot activities.
func (s *Service) ExportParticipants(ctx context.Context, activityID int, format string, w io.Writer) error {
	x, err := s.PrepareParticipantsExport(ctx, activityID)
	if err != nil {
		return err
	}
	return x.Write(ctx, format, w)
}

// PrepareParticipantsExport authorises the export of an activity's
// participants (R-X-5: personal data): the operator, or a member of the
// activity's organisation holding SENSITIVE_DATA or MANAGER. Another
// organisation's activity is NOT_FOUND, as if it did not exist.
func (s *Service) PrepareParticipantsExport(ctx context.Context, activityID int) (*ParticipantsExport, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !v.Authenticated() {
		return nil, apperr.New(apperr.Unauthenticated, "unauthenticated")
	}
	a, err := s.Client.Activity.Get(sys(ctx), activityID)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	switch {
	case v.Operator || v.System:
	case v.UserID == 0:
		// A device (or any non-person) never exports personal data.
		if v.DeviceOrg == a.OrganizationID {
			return nil, apperr.New(apperr.Forbidden, "forbidden")
		}
		return nil, apperr.New(apperr.NotFound, "not_found")
	case !v.Member(a.OrganizationID):
		return nil, apperr.New(apperr.NotFound, "not_found")
	case !v.Has(a.OrganizationID, viewer.SensitiveData, viewer.Manager):
		return nil, &apperr.Error{Code: apperr.Forbidden, Rule: "R-X-5", Key: "forbidden"}
	}
	slots, err := s.Client.Slot.Query().Where(slot.ActivityID(a.ID)).
		Order(ent.Asc(slot.FieldStartsAt), ent.Asc(slot.FieldID)).All(sys(ctx))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &ParticipantsExport{s: s, Activity: a, Slots: slots, Lang: viewer.LangFromContext(ctx)}, nil
}

// ValidFormat reports whether f is an export format.
func ValidFormat(f string) bool { return f == FormatCSV || f == FormatXLSX }

// Filename is the file name to offer: participants-A1234567.csv.
func (x *ParticipantsExport) Filename(format string) string {
	num := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, x.Activity.Number)
	return "participants-" + num + "." + format
}

// ContentType is the MIME type of format.
func ContentType(format string) string {
	if format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Write writes the export in format to w.
func (x *ParticipantsExport) Write(ctx context.Context, format string, w io.Writer) error {
	var sink rowSink
	var err error
	cols := x.columns()
	switch format {
	case FormatCSV:
		sink, err = newCSVSink(w, cols)
	case FormatXLSX:
		sink, err = newXLSXSink(w, cols, x.Activity, x.Lang)
	default:
		return apperr.Invalid("format", "R-ACT-5", "invalid_input")
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer sink.Close()
	rows, err := x.rows(ctx, sink)
	if err != nil {
		return err
	}
	if err := sink.Finish(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	user := 0
	if v := viewer.FromContext(ctx); v != nil {
		user = v.UserID
	}
	// Exports of personal data are traced (R-X-5).
	slog.InfoContext(ctx, "participants exported", "activity", x.Activity.ID, "format", format, "rows", rows, "user", user)
	return nil
}

// kind says how a column's values are written and how wide it is.
type kind int

const (
	kText    kind = iota
	kLong         // e-mail, title
	kAddress      // address, slot list
	kNumber
	kDate
	kTime
)

type column struct {
	title string
	kind  kind
}

// cell is a value of a row: text, a number, or a moment shown as its date
// or its time in Paris.
type cell struct {
	text string
	num  *int
	at   *time.Time
}

func (x *ParticipantsExport) t(fr, en string) string {
	if x.Lang == "en" {
		return en
	}
	return fr
}

// slotName is a slot's label, or its start when it has none.
func slotName(sl *ent.Slot) string {
	if sl.Label != "" {
		return sl.Label
	}
	return sl.StartsAt.In(result.Paris).Format("02/01/2006 15:04")
}

// columns lists the headers: registration, participant, then check-in
// (first check-in, then one date/time pair per slot for slot activities).
func (x *ParticipantsExport) columns() []column {
	t := x.t
	cols := []column{
		{t("N° activité", "Activity number"), kText},
		{t("Activité", "Activity"), kLong},
		{t("N° inscription", "Registration number"), kText},
		{t("État", "Status"), kText},
		{t("Annulée le", "Cancelled on"), kDate},
		{t("Origine", "Source"), kText},
		{t("Nom de l'acheteur", "Buyer last name"), kText},
		{t("Prénom de l'acheteur", "Buyer first name"), kText},
		{t("Courriel de l'acheteur", "Buyer e-mail"), kLong},
		{t("Téléphone de l'acheteur", "Buyer phone"), kText},
		{t("Inscrit le", "Registered on"), kDate},
		{t("Heure d'inscription", "Registration time"), kTime},
		{t("N° participant", "Participant no."), kNumber},
		{t("Nom", "Last name"), kText},
		{t("Prénom", "First name"), kText},
		{t("Courriel", "E-mail"), kLong},
		{t("Téléphone", "Phone"), kText},
		{t("Âge", "Age"), kNumber},
		{t("Adresse", "Address"), kAddress},
	}
	if len(x.Slots) > 0 {
		cols = append(cols, column{t("Créneaux choisis", "Chosen slots"), kAddress})
	}
	cols = append(cols,
		column{t("Pointé le", "Checked in on"), kDate},
		column{t("Heure de pointage", "Check-in time"), kTime})
	for _, sl := range x.Slots {
		name := slotName(sl)
		cols = append(cols,
			column{t("Pointé le", "Checked in on") + " — " + name, kDate},
			column{t("Heure de pointage", "Check-in time") + " — " + name, kTime})
	}
	return cols
}

func (x *ParticipantsExport) state(r *ent.Registration) string {
	if r.State == registration.StateCANCELLED {
		return x.t("Annulée", "Cancelled")
	}
	return x.t("Confirmée", "Confirmed")
}

func (x *ParticipantsExport) source(r *ent.Registration) string {
	switch r.Source {
	case registration.SourcePUBLIC:
		return x.t("Inscription en ligne", "Online")
	case registration.SourceIMPORT:
		return x.t("Import", "Import")
	}
	return x.t("Saisie par l'équipe", "Staff")
}

// rows reads the registrations page by page (keyset on id) and sends one
// row per participant to sink. It returns the number of rows.
func (x *ParticipantsExport) rows(ctx context.Context, sink rowSink) (int, error) {
	a := x.Activity
	n, last := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		regs, err := x.s.Client.Registration.Query().
			Where(registration.ActivityID(a.ID), registration.IDGT(last)).
			Order(ent.Asc(registration.FieldID)).Limit(exportPage).
			WithParticipants(func(q *ent.ParticipantQuery) {
				q.Order(ent.Asc(participant.FieldPosition), ent.Asc(participant.FieldID))
			}).
			WithSlots(func(q *ent.SlotQuery) { q.Select(slot.FieldID) }).
			WithScans(func(q *ent.ScanQuery) {
				q.Where(scan.Admitted(true)).Select(scan.FieldRegistrationID, scan.FieldSlotKey, scan.FieldCheckedInAt)
			}).
			All(sys(ctx))
		if err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		for _, r := range regs {
			for _, row := range x.registrationRows(r) {
				if err := sink.Row(row); err != nil {
					return n, fmt.Errorf("export: %w", err)
				}
				n++
			}
		}
		if len(regs) < exportPage {
			return n, nil
		}
		last = regs[len(regs)-1].ID
	}
}

// registrationRows renders a registration's participants. Check-in is per
// registration (one QR code, R-ACT-3): every participant shares its times.
func (x *ParticipantsExport) registrationRows(r *ent.Registration) [][]cell {
	// Earliest check-in per slot key (0 = the whole registration).
	first := map[int]time.Time{}
	var earliest *time.Time
	for _, sc := range r.Edges.Scans {
		at := sc.CheckedInAt
		if prev, ok := first[sc.SlotKey]; !ok || at.Before(prev) {
			first[sc.SlotKey] = at
		}
		if earliest == nil || at.Before(*earliest) {
			earliest = &at
		}
	}
	chosen := map[int]bool{}
	for _, sl := range r.Edges.Slots {
		chosen[sl.ID] = true
	}
	var names []string
	for _, sl := range x.Slots {
		if chosen[sl.ID] {
			names = append(names, slotName(sl))
		}
	}
	created := r.CreatedAt
	out := make([][]cell, 0, len(r.Edges.Participants))
	for _, p := range r.Edges.Participants {
		pos := p.Position + 1
		row := []cell{
			{text: x.Activity.Number},
			{text: x.Activity.Title},
			{text: r.Number},
			{text: x.state(r)},
			{at: r.CancelledAt},
			{text: x.source(r)},
			{text: r.BuyerLastName},
			{text: r.BuyerFirstName},
			{text: r.BuyerEmail},
			{text: r.BuyerPhone},
			{at: &created},
			{at: &created},
			{num: &pos},
			{text: p.LastName},
			{text: p.FirstName},
			{text: p.Email},
			{text: p.Phone},
			{num: p.Age},
			{text: p.Address},
		}
		if len(x.Slots) > 0 {
			row = append(row, cell{text: strings.Join(names, ", ")})
		}
		row = append(row, cell{at: earliest}, cell{at: earliest})
		for _, sl := range x.Slots {
			var at *time.Time
			if chosen[sl.ID] {
				for _, k := range []int{0, sl.ID} {
					if t, ok := first[k]; ok && (at == nil || t.Before(*at)) {
						at = &t
					}
				}
			}
			row = append(row, cell{at: at}, cell{at: at})
		}
		out = append(out, row)
	}
	return out
}

// rowSink receives the rows of an export.
type rowSink interface {
	Row([]cell) error
	// Finish completes the file; Close releases resources (always called).
	Finish() error
	Close() error
}

// csvSink writes what French Excel and LibreOffice open without an import
// wizard: UTF-8 with a byte order mark, ";" separator, CRLF line ends.
type csvSink struct {
	bw   *bufio.Writer
	cw   *csv.Writer
	cols []column
	rec  []string
}

func newCSVSink(w io.Writer, cols []column) (*csvSink, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(bw)
	cw.Comma, cw.UseCRLF = ';', true
	s := &csvSink{bw: bw, cw: cw, cols: cols, rec: make([]string, len(cols))}
	for i, c := range cols {
		s.rec[i] = c.title
	}
	return s, cw.Write(s.rec)
}

func (s *csvSink) Row(row []cell) error {
	for i, c := range row {
		switch {
		case c.num != nil:
			s.rec[i] = fmt.Sprint(*c.num)
		case c.at != nil && s.cols[i].kind == kTime:
			s.rec[i] = c.at.In(result.Paris).Format("15:04")
		case c.at != nil:
			s.rec[i] = c.at.In(result.Paris).Format("02/01/2006")
		default:
			s.rec[i] = csvSafe(c.text)
		}
	}
	if err := s.cw.Write(s.rec); err != nil {
		return err
	}
	// csv.Writer buffers into bw, which writes through to w every 64 KiB.
	return nil
}

func (s *csvSink) Finish() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	return s.bw.Flush()
}

func (s *csvSink) Close() error { return nil }

// phoneLike is a value a spreadsheet may read as a number but never as a
// formula: +33 6 12 34 56 78, -5.
var phoneLike = regexp.MustCompile(`^[+-]?[0-9 .()/]*$`)

// csvSafe neutralises formula injection (a participant typing
// "=HYPERLINK(…)" as their name on the public form): a cell starting with
// = + - @ or a control character gets a leading apostrophe, which Excel and
// LibreOffice show as text. Phone numbers stay as they are.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if (s[0] == '+' || s[0] == '-') && phoneLike.MatchString(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// xlsxSink streams an XLSX sheet: bold frozen header, column widths by
// kind, dates and times as real date cells (Paris wall clock).
type xlsxSink struct {
	w         io.Writer
	f         *excelize.File
	sw        *excelize.StreamWriter
	cols      []column
	row       int
	dateStyle int
	timeStyle int
	vals      []any
}

const sheetName = "Participants"

func newXLSXSink(w io.Writer, cols []column, a *ent.Activity, lang string) (*xlsxSink, error) {
	f := excelize.NewFile()
	s := &xlsxSink{w: w, f: f, cols: cols, vals: make([]any, len(cols))}
	fail := func(err error) (*xlsxSink, error) {
		f.Close()
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return fail(err)
	}
	title := "Participants — " + a.Number + " — " + a.Title
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "ofhub", Language: lang}); err != nil {
		return fail(err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return fail(err)
	}
	dateFmt, timeFmt := "dd/mm/yyyy", "hh:mm"
	if s.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return fail(err)
	}
	if s.timeStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt}); err != nil {
		return fail(err)
	}
	if s.sw, err = f.NewStreamWriter(sheetName); err != nil {
		return fail(err)
	}
	for i, c := range cols {
		width := map[kind]float64{kText: 16, kLong: 30, kAddress: 40, kNumber: 9, kDate: 12, kTime: 9}[c.kind]
		// Per-slot headers are long; the header row wraps them.
		if l := float64(len([]rune(c.title))) + 2; l > width && l <= 24 {
			width = l
		}
		if err := s.sw.SetColWidth(i+1, i+1, width); err != nil {
			return fail(err)
		}
	}
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fail(err)
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: bold, Value: c.title}
	}
	s.row = 1
	if err := s.sw.SetRow("A1", header, excelize.RowOpts{Height: 32}); err != nil {
		return fail(err)
	}
	return s, nil
}

// excelEpoch is day 0 of Excel's 1900 date system (past 1 March 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func (s *xlsxSink) Row(row []cell) error {
	for i, c := range row {
		switch {
		case c.num != nil:
			s.vals[i] = *c.num
		case c.at != nil:
			p := c.at.In(result.Paris)
			if s.cols[i].kind == kTime {
				// The time of day, to the minute, as a fraction of a day.
				s.vals[i] = excelize.Cell{StyleID: s.timeStyle, Value: float64(p.Hour()*60+p.Minute()) / (24 * 60)}
			} else {
				day := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
				s.vals[i] = excelize.Cell{StyleID: s.dateStyle, Value: float64(day.Sub(excelEpoch) / (24 * time.Hour))}
			}
		case c.text == "":
			s.vals[i] = nil
		default:
			s.vals[i] = c.text
		}
	}
	s.row++
	cellRef, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cellRef, s.vals)
}

func (s *xlsxSink) Finish() error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	return s.f.Write(s.w)
}

func (s *xlsxSink) Close() error { return s.f.Close() }
