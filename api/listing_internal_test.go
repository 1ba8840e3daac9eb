package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/gotalkjs/talkjs-go/gen"
)

// harness drives a Server through its handlers with a fake clock.
type harness struct {
	t   *testing.T
	s   *Server
	now time.Time
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.s = NewServer(WithSecret("sk_test_x"), WithClock(func() time.Time { return h.now }),
		WithResponseValidation(func(err error) { t.Errorf("answer breaks the spec: %v", err) }))
	return h
}

func (h *harness) do(method, path, body string) (int, []byte) {
	h.t.Helper()
	var rd *bytes.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, "/v1/"+DefaultAppID+path, rd)
	req.Header.Set("Authorization", "Bearer sk_test_x")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.s.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func (h *harness) ok(method, path, body string) []byte {
	h.t.Helper()
	code, b := h.do(method, path, body)
	if code != 200 {
		h.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	return b
}

// reference is the listing as the first version computed it: every
// conversation, filtered, sorted, then paged (ids only).
func referenceList(s *Server, q *listQuery, userID string) ([]string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*conversation
	if userID == "" {
		for _, c := range s.st.convs {
			all = append(all, c)
		}
	} else {
		u := s.st.users[userID]
		if u == nil {
			return nil, false
		}
		for _, c := range u.convs {
			all = append(all, c)
		}
	}
	key := func(c *conversation) int64 {
		if q.byCreated() {
			return c.createdAt
		}
		return c.lastActivity()
	}
	after := func(a, b *conversation) bool { // a comes after b
		ka, kb := key(a), key(b)
		if ka == kb {
			if q.desc {
				return a.seq < b.seq
			}
			return a.seq > b.seq
		}
		if q.desc {
			return ka < kb
		}
		return ka > kb
	}
	var kept []*conversation
	for _, c := range all {
		var p *participant
		if userID != "" {
			p = c.participants[userID]
		}
		if q.offsetTs != nil {
			k := key(c)
			if (q.desc && k >= *q.offsetTs) || (!q.desc && k <= *q.offsetTs) {
				continue
			}
		}
		if q.keep(c, p) {
			kept = append(kept, c)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return after(kept[j], kept[i]) })
	from := 0
	if q.startingAfter != nil {
		cur := s.st.convs[*q.startingAfter]
		from = sort.Search(len(kept), func(i int) bool { return after(kept[i], cur) })
	}
	from, to := pageBounds(from, len(kept), q.limit)
	ids := []string{}
	for _, c := range kept[from:to] {
		ids = append(ids, c.id)
	}
	return ids, true
}

// checkUnreadCounts compares every kept unread count with a count from scratch.
func checkUnreadCounts(t *testing.T, s *Server) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.st.convs {
		for id, p := range c.participants {
			if want := c.unreadCount(id, p); p.unreadN != want {
				t.Fatalf("conversation %s, user %s: unread count %d, counted %d", c.id, id, p.unreadN, want)
			}
		}
		if c.laTs != c.lastActivity() {
			t.Fatalf("conversation %s indexed at %d, want its last activity %d", c.id, c.laTs, c.lastActivity())
		}
	}
	if n := s.st.convIdx.created.Len(); n != len(s.st.convs) {
		t.Fatalf("index holds %d conversations, want the store's %d", n, len(s.st.convs))
	}
	for _, u := range s.st.users {
		if u.convIdx.created != nil && u.convIdx.created.Len() != len(u.convs) {
			t.Fatalf("user %s: index holds %d conversations, want the %d the user takes part in", u.id, u.convIdx.created.Len(), len(u.convs))
		}
		if u.convIdx.activity != nil && u.convIdx.activity.Len() != len(u.convs) {
			t.Fatalf("user %s: activity index holds %d conversations, want the %d the user takes part in", u.id, u.convIdx.activity.Len(), len(u.convs))
		}
	}
}

// The indexed listing answers what sorting everything answered, for random
// stores and random queries, and the unread counts kept incrementally
// equal counts from scratch.
func TestListingMatchesReference(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			h := newHarness(t)
			users := []string{"u0", "u1", "u2", "u3", "u4"}
			for _, u := range users {
				h.ok("PUT", "/users/"+u, `{"name":"x"}`)
			}
			var convs []string
			for op := 0; op < 400; op++ {
				h.now = h.now.Add(time.Duration(rng.IntN(3)) * time.Millisecond) // ties happen
				switch k := rng.IntN(20); {
				case k < 3 || len(convs) == 0:
					id := fmt.Sprintf("c%d", op)
					ps := []string{}
					for _, u := range users {
						if rng.IntN(2) == 0 {
							ps = append(ps, u)
						}
					}
					b, _ := json.Marshal(map[string]any{"participants": ps, "custom": map[string]string{"n": fmt.Sprint(rng.IntN(3))}})
					h.ok("PUT", "/conversations/"+id, string(b))
					convs = append(convs, id)
				case k < 10:
					c := convs[rng.IntN(len(convs))]
					u := users[rng.IntN(len(users))]
					h.do("PUT", "/conversations/"+c, `{"participants":["`+u+`"]}`)
					h.ok("POST", "/conversations/"+c+"/messages", `[{"type":"UserMessage","sender":"`+u+`","text":"hi"},{"type":"SystemMessage","text":"sys"}]`)
				case k < 12:
					c := convs[rng.IntN(len(convs))]
					u := users[rng.IntN(len(users))]
					h.do("PUT", "/conversations/"+c, `{"participants":["`+u+`"]}`)
					ts := h.now.UnixMilli() - int64(rng.IntN(50))
					h.ok("POST", "/import/conversations/"+c+"/messages", fmt.Sprintf(`[{"type":"UserMessage","sender":%q,"text":"old","timestamp":%d,"readBy":[%q]}]`, u, ts, users[rng.IntN(len(users))]))
				case k < 13:
					c := convs[rng.IntN(len(convs))]
					var list struct{ Data []struct{ ID string } }
					json.Unmarshal(h.ok("GET", "/conversations/"+c+"/messages?limit=5", ""), &list)
					if len(list.Data) > 0 {
						h.ok("DELETE", "/conversations/"+c+"/messages/"+list.Data[rng.IntN(len(list.Data))].ID, "")
					}
				case k < 15:
					c := convs[rng.IntN(len(convs))]
					u := users[rng.IntN(len(users))]
					h.do("POST", "/conversations/"+c+"/readBy/"+u, "")
				case k < 16:
					c := convs[rng.IntN(len(convs))]
					u := users[rng.IntN(len(users))]
					h.do("PATCH", "/users/"+u+"/conversations/"+c, fmt.Sprintf(`{"readUntil":%d}`, h.now.UnixMilli()-int64(rng.IntN(20))))
				case k < 17:
					c := convs[rng.IntN(len(convs))]
					h.do("DELETE", "/conversations/"+c+"/participants/"+users[rng.IntN(len(users))], "")
				case k < 18:
					i := rng.IntN(len(convs))
					h.ok("DELETE", "/conversations/"+convs[i], "")
					convs = slices.Delete(convs, i, i+1)
				case k < 19:
					c := convs[rng.IntN(len(convs))]
					h.ok("DELETE", "/conversations/"+c+"/messages", "")
				default:
					c := convs[rng.IntN(len(convs))]
					h.do("PATCH", "/users/"+users[rng.IntN(len(users))]+"/conversations/"+c, `{"readUntil":"sent"}`)
				}
				if op%50 == 49 {
					checkUnreadCounts(t, h.s)
					compareQueries(t, h, rng, convs, users)
				}
			}
		})
	}
}

func compareQueries(t *testing.T, h *harness, rng *rand.Rand, convs, users []string) {
	t.Helper()
	for i := 0; i < 60; i++ {
		v := url.Values{}
		limit := 1 + rng.IntN(8)
		v.Set("limit", fmt.Sprint(limit))
		q := &listQuery{limit: &limit, orderBy: gen.ConversationOrderByLastActivity, desc: true}
		if rng.IntN(2) == 0 {
			q.orderBy = gen.ConversationOrderByCreatedAt
			v.Set("orderBy", "createdAt")
		}
		if rng.IntN(2) == 0 {
			q.desc = false
			v.Set("orderDirection", "ASC")
		}
		if rng.IntN(3) == 0 && len(convs) > 0 {
			c := convs[rng.IntN(len(convs))]
			q.startingAfter = &c
			v.Set("startingAfter", c)
		}
		if rng.IntN(4) == 0 {
			ts := h.now.UnixMilli() - int64(rng.IntN(400))
			q.offsetTs = &ts
			v.Set("offsetTs", fmt.Sprint(ts))
		}
		if rng.IntN(4) == 0 {
			ts := h.now.UnixMilli() - int64(rng.IntN(400))
			q.lastMessageAfter = &ts
			v.Set("lastMessageAfter", fmt.Sprint(ts))
		}
		if rng.IntN(4) == 0 {
			f := `{"custom":{"n":["==","1"]}}`
			if rng.IntN(2) == 0 {
				f = `{"hasUnreadMessages":true}`
			}
			q2, aerr := newListQuery(nil, nil, nil, nil, nil, nil, nil, nil, &f)
			if aerr != nil {
				t.Fatal(aerr)
			}
			q.filter = q2.filter
			v.Set("filter", f)
		}
		userID := ""
		path := "/conversations"
		if rng.IntN(2) == 0 {
			userID = users[rng.IntN(len(users))]
			path = "/users/" + userID + "/conversations"
			if rng.IntN(3) == 0 {
				q.unreadsOnly = true
				v.Set("unreadsOnly", "true")
			}
		}
		want, _ := referenceList(h.s, q, userID)
		code, b := h.do("GET", path+"?"+v.Encode(), "")
		if code != 200 {
			t.Fatalf("GET %s?%s: %d %s", path, v.Encode(), code, b)
		}
		var got struct{ Data []struct{ ID string } }
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, d := range got.Data {
			ids = append(ids, d.ID)
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("GET %s?%s:\n got %v\nwant %v", path, v.Encode(), ids, want)
		}
	}
}
