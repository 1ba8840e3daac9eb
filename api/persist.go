package api

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// The state file of SaveState and LoadState: one JSON object,
//
//	{"format": "talkjs-go/state", "version": 1, "appId": "…", "savedAt": ms,
//	 "seq": n, "app": {…}, "users": [...], "conversations": [...], "files": [...]}
//
// holding everything the server stores except its secret: users (in
// creation order, with presence), conversations with their participants
// (read markers included), messages and idempotency keys, the app's custom
// data and default locale, and uploaded files (their bytes in base64). A
// file of another format or a newer version is refused. Version 1 is this
// commit's; a later version will say what changed.
const (
	StateFormat  = "talkjs-go/state"
	StateVersion = 1
)

type stateDoc struct {
	Format        string         `json:"format"`
	Version       int            `json:"version"`
	AppID         string         `json:"appId"`
	SavedAt       int64          `json:"savedAt"`
	Seq           uint64         `json:"seq"`
	App           stateApp       `json:"app"`
	Users         []stateUser    `json:"users"`
	Conversations []stateConv    `json:"conversations"`
	Files         []stateFileRec `json:"files"`
}

type stateApp struct {
	Custom        map[string]string `json:"custom,omitempty"`
	DefaultLocale *string           `json:"defaultLocale,omitempty"`
}

type stateUser struct {
	ID               string            `json:"id"`
	Seq              uint64            `json:"seq"`
	Name             string            `json:"name"`
	Email            []string          `json:"email,omitempty"`
	Phone            []string          `json:"phone,omitempty"`
	PhotoURL         *string           `json:"photoUrl,omitempty"`
	HeaderPhotoURL   *string           `json:"headerPhotoUrl,omitempty"`
	Role             *string           `json:"role,omitempty"`
	WelcomeMessage   *string           `json:"welcomeMessage,omitempty"`
	AvailabilityText *string           `json:"availabilityText,omitempty"`
	Locale           *string           `json:"locale,omitempty"`
	Custom           map[string]string `json:"custom,omitempty"`
	PushTokens       map[string]bool   `json:"pushTokens,omitempty"`
	CreatedAt        int64             `json:"createdAt"`
	Presence         *statePresence    `json:"presence,omitempty"`
}

type statePresence struct {
	Visible      bool   `json:"visible"`
	Availability string `json:"availability"`
	LastChanged  int64  `json:"lastChanged"`
}

type stateConv struct {
	ID              string                      `json:"id"`
	Seq             uint64                      `json:"seq"`
	Subject         *string                     `json:"subject,omitempty"`
	PhotoURL        *string                     `json:"photoUrl,omitempty"`
	WelcomeMessages []string                    `json:"welcomeMessages,omitempty"`
	Custom          map[string]string           `json:"custom,omitempty"`
	CreatedAt       int64                       `json:"createdAt"`
	Participants    map[string]stateParticipant `json:"participants"`
	Messages        []stateMsg                  `json:"messages"`
	Idempotency     map[string]stateIdem        `json:"idempotency,omitempty"`
}

type stateParticipant struct {
	Access   string          `json:"access"`
	Notify   json.RawMessage `json:"notify"`
	JoinedAt int64           `json:"joinedAt"`
	HasRead  bool            `json:"hasRead"`
	ReadTs   int64           `json:"readTs"`
	ReadSeq  uint64          `json:"readSeq"`
}

type stateIdem struct {
	ID string `json:"id"`
	At int64  `json:"at"`
}

type stateMsg struct {
	ID         string              `json:"id"`
	Seq        uint64              `json:"seq"`
	CreatedAt  int64               `json:"createdAt"`
	EditedAt   int64               `json:"editedAt,omitempty"`
	Edited     bool                `json:"edited,omitempty"`
	System     bool                `json:"system,omitempty"`
	Imported   bool                `json:"imported,omitempty"`
	HasText    bool                `json:"hasText,omitempty"`
	Sender     string              `json:"sender,omitempty"`
	Text       string              `json:"text,omitempty"`
	Attachment *stateAttachment    `json:"attachment,omitempty"`
	Location   *[2]float64         `json:"location,omitempty"`
	Custom     map[string]string   `json:"custom,omitempty"`
	ReadBy     []string            `json:"readBy,omitempty"`
	Referenced *string             `json:"referenced,omitempty"`
	Reactions  map[string][]string `json:"reactions,omitempty"`
	IdemKey    string              `json:"idempotencyKey,omitempty"`
	Content    json.RawMessage     `json:"content,omitempty"`
}

type stateAttachment struct {
	Token    string `json:"token"`
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

type stateFileRec struct {
	Token      string `json:"token"`
	Filename   string `json:"filename"`
	Data       []byte `json:"data"`
	UploadedAt int64  `json:"uploadedAt"`
}

// SaveState writes everything the server stores, except its secret, to w in
// the format described at StateFormat. Writers wait while it runs.
func (s *Server) SaveState(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := &s.st
	doc := stateDoc{Format: StateFormat, Version: StateVersion, AppID: s.appID, SavedAt: s.nowMs(), Seq: st.seq,
		App:   stateApp{Custom: s.app.custom, DefaultLocale: s.app.defaultLocale},
		Users: make([]stateUser, 0, len(st.userOrder)), Conversations: make([]stateConv, 0, len(st.convs))}
	for _, u := range st.userOrder {
		su := stateUser{ID: u.id, Seq: u.seq, Name: u.name, Email: u.email, Phone: u.phone, PhotoURL: u.photoURL,
			HeaderPhotoURL: u.headerPhotoURL, Role: u.role, WelcomeMessage: u.welcomeMessage, AvailabilityText: u.availabilityText,
			Locale: u.locale, Custom: u.custom, PushTokens: u.pushTokens, CreatedAt: u.createdAt}
		if p := u.presence; p != nil {
			su.Presence = &statePresence{Visible: p.visible, Availability: p.availability, LastChanged: p.lastChanged}
		}
		doc.Users = append(doc.Users, su)
	}
	st.convIdx.created.Ascend(func(k convKey) bool {
		c := k.c
		sc := stateConv{ID: c.id, Seq: c.seq, Subject: c.subject, PhotoURL: c.photoURL, WelcomeMessages: c.welcomeMessages,
			Custom: c.custom, CreatedAt: c.createdAt, Participants: make(map[string]stateParticipant, len(c.participants)),
			Messages: make([]stateMsg, 0, len(c.msgs))}
		for id, p := range c.participants {
			sc.Participants[id] = stateParticipant{Access: p.access, Notify: p.notify, JoinedAt: p.joinedAt, HasRead: p.hasRead, ReadTs: p.readTs, ReadSeq: p.readSeq}
		}
		for _, m := range c.msgs {
			sm := stateMsg{ID: m.id, Seq: m.seq, CreatedAt: m.createdAt, EditedAt: m.editedAt, Edited: m.edited,
				System: m.typ == systemMessage, Imported: m.imported, HasText: m.hasText, Sender: m.sender, Text: m.text,
				Location: m.location, Custom: m.custom, ReadBy: m.readBy, Referenced: m.referenced, Reactions: m.reactions,
				IdemKey: m.idemKey, Content: m.content}
			if a := m.attachment; a != nil {
				sm.Attachment = &stateAttachment{Token: a.token, Filename: a.filename, Size: a.size}
			}
			sc.Messages = append(sc.Messages, sm)
		}
		if len(c.idem) > 0 {
			sc.Idempotency = make(map[string]stateIdem, len(c.idem))
			for k, e := range c.idem {
				sc.Idempotency[k] = stateIdem{ID: e.id, At: e.at}
			}
		}
		doc.Conversations = append(doc.Conversations, sc)
		return true
	})
	for _, f := range st.files {
		doc.Files = append(doc.Files, stateFileRec{Token: f.token, Filename: f.filename, Data: f.data, UploadedAt: f.uploadedAt})
	}
	sort.Slice(doc.Files, func(i, j int) bool { return doc.Files[i].UploadedAt < doc.Files[j].UploadedAt })
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// SaveStateFile writes the state to path atomically: to a temporary file in
// the same directory, synced, then renamed over path.
func (s *Server) SaveStateFile(path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = s.SaveState(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadState replaces everything the server stores with the state read from
// r (written by SaveState). The app id of the state must be the server's.
// On error the server's data is unchanged.
func (s *Server) LoadState(r io.Reader) error {
	var doc stateDoc
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("state: not a talkjs-go state file: %w", err)
	}
	switch {
	case doc.Format != StateFormat:
		return fmt.Errorf("state: format %q, want %q", doc.Format, StateFormat)
	case doc.Version > StateVersion || doc.Version < 1:
		return fmt.Errorf("state: version %d; this server reads version %d", doc.Version, StateVersion)
	case doc.AppID != s.appID:
		return fmt.Errorf("state: saved for app %q, but this server answers for app %q", doc.AppID, s.appID)
	}
	var st store
	st.init()
	st.seq = doc.Seq
	for _, su := range doc.Users {
		if su.ID == "" || st.users[su.ID] != nil {
			return fmt.Errorf("state: user %q is empty or repeated", su.ID)
		}
		u := &user{id: su.ID, seq: su.Seq, name: su.Name, email: su.Email, phone: su.Phone, photoURL: su.PhotoURL,
			headerPhotoURL: su.HeaderPhotoURL, role: su.Role, welcomeMessage: su.WelcomeMessage, availabilityText: su.AvailabilityText,
			locale: su.Locale, custom: su.Custom, pushTokens: su.PushTokens, createdAt: su.CreatedAt, convs: map[string]*conversation{}}
		if p := su.Presence; p != nil {
			u.presence = &presence{visible: p.Visible, availability: p.Availability, lastChanged: p.LastChanged}
		}
		st.users[u.id] = u
		st.userOrder = append(st.userOrder, u)
	}
	for _, f := range doc.Files {
		if f.Data == nil {
			f.Data = []byte{}
		}
		st.files[f.Token] = &file{token: f.Token, filename: f.Filename, data: f.Data, uploadedAt: f.UploadedAt}
		st.fileBytes += int64(len(f.Data))
	}
	for _, sc := range doc.Conversations {
		if sc.ID == "" || st.convs[sc.ID] != nil {
			return fmt.Errorf("state: conversation %q is empty or repeated", sc.ID)
		}
		c := &conversation{id: sc.ID, seq: sc.Seq, subject: sc.Subject, photoURL: sc.PhotoURL, welcomeMessages: sc.WelcomeMessages,
			custom: sc.Custom, createdAt: sc.CreatedAt, participants: map[string]*participant{},
			msgByID: make(map[string]*message, len(sc.Messages)), idem: map[string]idemEntry{}}
		for _, sm := range sc.Messages {
			m := &message{id: sm.ID, seq: sm.Seq, createdAt: sm.CreatedAt, editedAt: sm.EditedAt, edited: sm.Edited,
				imported: sm.Imported, hasText: sm.HasText, sender: sm.Sender, text: sm.Text, location: sm.Location,
				custom: sm.Custom, readBy: sm.ReadBy, referenced: sm.Referenced, reactions: sm.Reactions, idemKey: sm.IdemKey, content: sm.Content}
			if sm.System {
				m.typ = systemMessage
			}
			if a := sm.Attachment; a != nil {
				f := st.files[a.Token]
				if f == nil {
					return fmt.Errorf("state: message %q carries file %q, which is not in the state", m.id, a.Token)
				}
				f.refs++
				m.attachment = &attachment{token: a.Token, filename: a.Filename, size: a.Size}
			}
			c.insert(m)
			st.messages++
		}
		for k, e := range sc.Idempotency {
			c.idem[k] = idemEntry{id: e.ID, at: e.At}
			st.idemQueue = append(st.idemQueue, idemRef{conv: c.id, key: k, at: e.At})
		}
		st.convs[c.id] = c
		st.addConversation(c)
		for id, sp := range sc.Participants {
			u := st.users[id]
			if u == nil {
				return fmt.Errorf("state: conversation %q has participant %q, who is not a user in the state", c.id, id)
			}
			p := &participant{access: sp.Access, notify: sp.Notify, joinedAt: sp.JoinedAt, hasRead: sp.HasRead, readTs: sp.ReadTs, readSeq: sp.ReadSeq}
			if len(p.notify) == 0 {
				p.notify = notifyTrue
			}
			c.participants[id] = p
			u.convs[c.id] = c
			u.convIdx.add(c)
			c.recount(id, p)
		}
	}
	sort.Slice(st.idemQueue, func(i, j int) bool { return st.idemQueue[i].at < st.idemQueue[j].at })
	for _, f := range st.files {
		if f.refs == 0 {
			st.unclaimed = append(st.unclaimed, f)
		}
	}
	sort.Slice(st.unclaimed, func(i, j int) bool { return st.unclaimed[i].uploadedAt < st.unclaimed[j].uploadedAt })
	s.mu.Lock()
	defer s.mu.Unlock()
	st.rng = s.st.rng
	s.st = st
	s.app.custom, s.app.defaultLocale = doc.App.Custom, doc.App.DefaultLocale
	return nil
}

// LoadStateFile loads the state from path (see LoadState).
func (s *Server) LoadStateFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := s.LoadState(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
