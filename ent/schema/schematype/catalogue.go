package schematype

import "time"

// Catalogue value types (DOMAIN.md §4). A training and its sessions are
// edited as one document, TrainingDoc: it is the GraphQL input of
// createTraining / updateTraining, the copy-on-write draft stored while a
// published training stays live (R-CAT-22), and what the rules of
// server/catalogue validate. Sub-records of a session (fundings, cycles,
// skill-block choices, recruitment slots) are stored as JSON on the
// session row with the same types.

// TrainingDoc is a training with its sessions, as the responsible
// organisation writes it.
type TrainingDoc struct {
	// Certifying: the training leads to one or more certifications (R-CAT-4).
	Certifying bool `json:"certifying"`
	// Certification codes (RNCP…, RS…); the first is the principal one.
	CertificationCodes []string `json:"certificationCodes,omitempty"`
	Title              string   `json:"title"`
	Objective          string   `json:"objective"`
	Content            string   `json:"content,omitempty"`
	ExpectedResults    string   `json:"expectedResults,omitempty"`
	// Level codes of the "level" list; entry defaults to "0" (sans niveau
	// spécifique).
	EntryLevel string `json:"entryLevel,omitempty"`
	ExitLevel  string `json:"exitLevel,omitempty"`
	// Cycle duration in years, 1–5, required for apprenticeship (R-CAT-6).
	CycleYears     *int `json:"cycleYears,omitempty"`
	Apprenticeship bool `json:"apprenticeship"`
	Parcoursup     bool `json:"parcoursup"`
	Affelnet       bool `json:"affelnet"`
	// Web addresses of the training (R-CAT-25 checks them).
	WebLinks []string `json:"webLinks,omitempty"`
	// Free-text requests about contacts, handled by the operator (R-CON-7).
	ContactRequests string       `json:"contactRequests,omitempty"`
	Sessions        []SessionDoc `json:"sessions,omitempty"`
}

// SessionDoc is one session of a TrainingDoc. ID is the session's id once it
// exists (nil for a new one); a published session left out of a submitted
// document is archived, never deleted (R-CAT-20).
type SessionDoc struct {
	ID             *int      `json:"id,omitempty"`
	StartsOn       time.Time `json:"startsOn"`
	EndsOn         time.Time `json:"endsOn"`
	OnDemand       bool      `json:"onDemand"`
	PermanentEntry bool      `json:"permanentEntry"`
	// Trainer organisations; the first is the principal one. Empty = the
	// responsible organisation (R-CAT-11).
	TrainerIDs []int `json:"trainerIDs,omitempty"`
	// Venues (R-CAT-12) and registration place (R-CAT-18).
	VenueIDs            []int           `json:"venueIDs,omitempty"`
	RegistrationVenueID *int            `json:"registrationVenueID,omitempty"`
	Fundings            []Funding       `json:"fundings,omitempty"`
	Cycles              []Cycle         `json:"cycles,omitempty"`
	SkillBlocks         []SkillBlockUse `json:"skillBlocks,omitempty"`
	// Hours (R-CAT-16); nil = none. The total is computed.
	HoursInCentre  *int   `json:"hoursInCentre,omitempty"`
	HoursInCompany *int   `json:"hoursInCompany,omitempty"`
	HoursWeekly    *int   `json:"hoursWeekly,omitempty"`
	HoursComment   string `json:"hoursComment,omitempty"`
	// Modalities (R-CAT-17): codes of the course_type, rhythm, teaching_mode
	// and equipment lists.
	Prerequisites string   `json:"prerequisites,omitempty"`
	CourseType    string   `json:"courseType,omitempty"`
	Rhythm        string   `json:"rhythm,omitempty"`
	RhythmComment string   `json:"rhythmComment,omitempty"`
	Equipment     []string `json:"equipment,omitempty"`
	TeachingMode  string   `json:"teachingMode,omitempty"`
	// Work-study contract (contrat de professionnalisation) session (R-CAT-7).
	WorkStudyContract bool `json:"workStudyContract"`
	// Documentary recruitment modalities MR.01–MR.06.
	RecruitmentModalities []string          `json:"recruitmentModalities,omitempty"`
	RecruitmentSlots      []RecruitmentSlot `json:"recruitmentSlots,omitempty"`
	ContactRequests       string            `json:"contactRequests,omitempty"`
}

// Funding is a financement of a session (R-CAT-13).
type Funding struct {
	Funder  string `json:"funder"`
	Measure string `json:"measure"`
	// Scheme state (état du dispositif), set by the operator at validation.
	SchemeState string `json:"schemeState,omitempty"`
	// Recruitment state: "1" open, "2" closed.
	RecruitmentState string   `json:"recruitmentState"`
	Audiences        []string `json:"audiences,omitempty"`
	Seats            *int     `json:"seats,omitempty"`
	PublicMarket     string   `json:"publicMarket,omitempty"`
	// Prices in euro cents.
	TotalPriceCents   *int   `json:"totalPriceCents,omitempty"`
	FeesCents         *int   `json:"feesCents,omitempty"`
	AudienceComment   string `json:"audienceComment,omitempty"`
	FundingConditions string `json:"fundingConditions,omitempty"`
}

// Cycle is a year of an apprenticeship session (R-CAT-14).
type Cycle struct {
	Year                 int    `json:"year"`
	CycleType            string `json:"cycleType,omitempty"`
	MinHeadcount         *int   `json:"minHeadcount,omitempty"`
	SimultaneousCapacity *int   `json:"simultaneousCapacity,omitempty"`
	CumulativeCapacity   *int   `json:"cumulativeCapacity,omitempty"`
	AlternanceType       string `json:"alternanceType,omitempty"`
	// Rhythm unit (e.g. "3" week) and how many units in centre / company.
	RhythmUnit     string `json:"rhythmUnit,omitempty"`
	UnitsInCentre  *int   `json:"unitsInCentre,omitempty"`
	UnitsInCompany *int   `json:"unitsInCompany,omitempty"`
}

// Validation types of skill blocks (R-CAT-15).
const (
	ValidationPartial = "PARTIAL"
	ValidationTotal   = "TOTAL"
	ValidationMixed   = "MIXED"
)

// SkillBlockUse says which blocks of one certification a session validates.
type SkillBlockUse struct {
	CertificationCode string   `json:"certificationCode"`
	Validation        string   `json:"validation"`
	BlockCodes        []string `json:"blockCodes,omitempty"`
}

// Recruitment modalities that position candidates online (R-CAT-19).
const (
	RecruitmentICO  = "ICO"  // information collective (9)
	RecruitmentRDVI = "RDVI" // rendez-vous individuel (8)
	RecruitmentISC  = "ISC"  // inscription sur candidature (7)
)

// RecruitmentSlot is an ICO, RDVI or ISC of a session (R-CAT-19). Number is
// given by ofhub, unique across the catalogue.
type RecruitmentSlot struct {
	Kind   string `json:"kind"`
	Number string `json:"number,omitempty"`
	Open   bool   `json:"open"`
	Seats  int    `json:"seats"`
	// ISC: application period. RDVI / ICO: StartsOn = EndsOn, one day.
	StartsOn time.Time `json:"startsOn"`
	EndsOn   time.Time `json:"endsOn"`
	// RDVI / ICO: "HH:MM", 07:00 ≤ start < end ≤ 20:00.
	StartTime string   `json:"startTime,omitempty"`
	EndTime   string   `json:"endTime,omitempty"`
	Remote    bool     `json:"remote"`
	WebLink   string   `json:"webLink,omitempty"`
	Comment   string   `json:"comment,omitempty"`
	Address   *Address `json:"address,omitempty"`
}

// Address is a postal address as LHEO carries it.
type Address struct {
	Name      string `json:"name,omitempty"`
	Line1     string `json:"line1"`
	Line2     string `json:"line2,omitempty"`
	Postcode  string `json:"postcode"`
	City      string `json:"city"`
	InseeCode string `json:"inseeCode,omitempty"`
}

// Qualiopi says for which action categories an organisation holds the
// Qualiopi certification (R-ORG-4).
type Qualiopi struct {
	TrainingAction   bool `json:"trainingAction"`
	SkillsAssessment bool `json:"skillsAssessment"`
	VAE              bool `json:"vae"`
	Apprenticeship   bool `json:"apprenticeship"`
}

// OrgChange is the content of an organisation change request (R-ORG-6,
// R-ORG-7): new contact details, and / or a message asking the operator to
// change registry fields.
type OrgChange struct {
	Name          *string        `json:"name,omitempty"`
	Street        *string        `json:"street,omitempty"`
	Street2       *string        `json:"street2,omitempty"`
	Postcode      *string        `json:"postcode,omitempty"`
	City          *string        `json:"city,omitempty"`
	ContactPoints []ContactPoint `json:"contactPoints,omitempty"`
	// Registry fields the organisation asks to change (SIRET, NDA, APE):
	// applied by the operator by hand.
	Siret   *string `json:"siret,omitempty"`
	Nda     *string `json:"nda,omitempty"`
	ApeCode *string `json:"apeCode,omitempty"`
	Message string  `json:"message,omitempty"`
}
