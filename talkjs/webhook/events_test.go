package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestParseEveryDocumentedType(t *testing.T) {
	t.Parallel()
	at := time.UnixMilli(1767225600000)
	wantType := map[string]string{
		TypeUserCreated:             "*webhook.UserCreated",
		TypeUserUpdated:             "*webhook.UserUpdated",
		TypeMessageSent:             "*webhook.MessageSent",
		TypeMessageRead:             "*webhook.MessageRead",
		TypeMessageUpdated:          "*webhook.MessageUpdated",
		TypeMessageDeleted:          "*webhook.MessageDeleted",
		TypeConversationDeleted:     "*webhook.ConversationDeleted",
		TypeNotificationTriggered:   "*webhook.NotificationTriggered",
		TypeNotificationSent:        "*webhook.NotificationSent",
		TypeNotificationDelivered:   "*webhook.NotificationDelivered",
		TypeNotificationBounced:     "*webhook.NotificationBounced",
		TypeNotificationOpened:      "*webhook.NotificationOpened",
		TypeNotificationLinkClicked: "*webhook.NotificationLinkClicked",
	}
	if len(Types()) != len(wantType) {
		t.Fatalf("Types() has %d types, want %d", len(Types()), len(wantType))
	}
	for _, typ := range Types() {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			body := Sample(typ, at)
			ev, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse(Sample(%q)) error = %v, want nil", typ, err)
			}
			if got := fmt.Sprintf("%T", ev); got != wantType[typ] {
				t.Errorf("Parse(Sample(%q)) is a %s, want %s", typ, got, wantType[typ])
			}
			if ev.EventType() != typ || ev.EventID() == "" || !ev.Time().Equal(at) {
				t.Errorf("Parse(Sample(%q)) type, id, time = %q, %q, %v; want %q, an id, %v", typ, ev.EventType(), ev.EventID(), ev.Time(), typ, at)
			}
			if string(ev.Raw()) != string(body) {
				t.Errorf("Raw() = %s, want the body %s", ev.Raw(), body)
			}
			// The typed data holds what was sent: encoding it again gives
			// the sample's data back.
			var whole struct{ Data json.RawMessage }
			_ = json.Unmarshal(body, &whole)
			data := reflect.ValueOf(ev).Elem().FieldByName("Data").Interface()
			again, _ := json.Marshal(data)
			if !jsonEqual(t, again, whole.Data) {
				t.Errorf("json.Marshal(parsed Data) = %s, want %s", again, whole.Data)
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func TestParseFields(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"evt_9","type":"message.read","createdAt":1700000000000,"data":{
		"message":{"id":"msg_1","conversationId":"c1","senderId":"alice","type":"UserMessage","text":"hi","readBy":["bob"],"createdAt":1699999999000,"editedAt":null,"attachment":null,"location":null},
		"conversation":{"id":"c1","subject":null,"participants":{"alice":{"access":"ReadWrite","notify":true},"bob":{"access":"Read","notify":"MentionsOnly"}}},
		"sender":{"id":"alice","name":"Alice","role":"customer"},
		"recipient":{"id":"bob","name":"Bob","email":["bob@example.com"]},
		"futureField":{"x":1}}}`)
	ev, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := ev.(*MessageRead)
	if !ok {
		t.Fatalf("Parse = %T, want *MessageRead", ev)
	}
	d := r.Data
	if d.Recipient.ID != "bob" || d.Recipient.Email[0] != "bob@example.com" || d.Sender.Role != "customer" ||
		d.Message.SenderID != "alice" || d.Message.ReadBy[0] != "bob" || d.Conversation.ID != "c1" {
		t.Errorf("Parse(message.read).Data = %+v, want recipient bob <bob@example.com>, sender alice (customer), read by bob, conversation c1", d)
	}
	if n := d.Conversation.Participants["alice"].Notify; n != "true" {
		t.Errorf("Parse(notify true) = %q, want \"true\"", n)
	}
	if n := d.Conversation.Participants["bob"].Notify; n != "MentionsOnly" {
		t.Errorf("Parse(notify \"MentionsOnly\") = %q, want \"MentionsOnly\"", n)
	}
}

func TestParseKeepsUnknownTypesRaw(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"evt_2","type":"conversation.archived","createdAt":5,"data":{"conversation":{"id":"c1"},"by":[1,2]}}`)
	ev, err := Parse(body)
	if err != nil {
		t.Fatalf("Parse(unknown type) = %v, want no error", err)
	}
	u, ok := ev.(*Unknown)
	if !ok {
		t.Fatalf("Parse(unknown type) = %T, want *Unknown", ev)
	}
	if want := `{"conversation":{"id":"c1"},"by":[1,2]}`; u.Type != "conversation.archived" || string(u.Data) != want {
		t.Errorf("Parse(unknown type) = type %q, data %s; want %q, %s", u.Type, u.Data, "conversation.archived", want)
	}
}

func TestParseRefusesMalformedBodies(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not JSON":           `{"type":`,
		"an array":           `[{"type":"message.sent"}]`,
		"no type":            `{"id":"evt_1","data":{}}`,
		"data of wrong kind": `{"type":"user.created","data":{"user":{"id":7}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := Parse([]byte(body)); !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%s) = %v, want ErrMalformed", body, err)
			}
		})
	}
}
