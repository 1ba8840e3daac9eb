package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReplayTalkJSExamples replays the REST calls of TalkJS's public example
// repository (github.com/talkjs/talkjs-examples at bfb25ca), in the order
// and with the bodies and headers the examples send them: lower-case
// methods as fetch normalises them, Content-Type on bodiless GETs and
// DELETEs, a trailing slash with an empty body, ids inside PUT bodies,
// explicit nulls when anonymising, and imports with timestamp and readBy.
// Every request must follow the spec and answer what the example expects.
func TestReplayTalkJSExamples(t *testing.T) {
	e := newEnv(t)
	type call struct {
		method, path, body string
		want               int
	}
	var lastMessageID string
	run := func(source string, calls []call) {
		t.Helper()
		for _, c := range calls {
			path := strings.ReplaceAll(c.path, "{msg}", lastMessageID)
			hdr := map[string]string{"Authorization": "Bearer " + testSecret, "Content-Type": "application/json"}
			r := e.rawWith(strings.ToUpper(c.method), "/v1/"+testApp+path, c.body, hdr)
			if r.status != c.want {
				t.Errorf("%s: %s %s: %d, want %d: %s", source, c.method, path, r.status, c.want, r.body)
				continue
			}
			if strings.HasSuffix(path, "/messages") && strings.ToUpper(c.method) == "POST" && r.status == 200 {
				var refs []struct{ ID string }
				if err := json.Unmarshal(r.body, &refs); err != nil || len(refs) == 0 {
					t.Errorf("%s: POST %s = %s, want a list of message ids", source, path, r.body)
				} else {
					lastMessageID = refs[0].ID // the examples read data[0].id
				}
			}
		}
	}

	// howtos/how-to-add-forwarding/server.js: setup, list, forward.
	run("how-to-add-forwarding", []call{
		{"PUT", "/users/almudena", `{"name":"Almudena","photoUrl":"https://talkjs.com/images/avatar-7.jpg","welcomeMessage":"Hi!","role":"default"}`, 200},
		{"PUT", "/users/exampleUser1", `{"name":"Gül","photoUrl":"https://talkjs.com/images/avatar-2.jpg","welcomeMessage":"Hi!","role":"default"}`, 200},
		{"DELETE", "/conversations/exampleConversation1", "", 404}, // "Delete the conversation (if it exists)"
		{"PUT", "/conversations/exampleConversation1", `{"participants":["almudena","exampleUser1"],"subject":"Conversation 1","photoUrl":"https://images.unsplash.com/photo-1718761261817-66116cbfa411"}`, 200},
		{"POST", "/conversations/exampleConversation1/messages", `[{"text":"Hi there!","sender":"exampleUser1","type":"UserMessage"}]`, 200},
		{"GET", "/users/almudena/conversations", "", 200},
		{"POST", "/conversations/exampleConversation1/messages", `[{"text":"fwd","sender":"almudena","type":"UserMessage","custom":{"forwardedFrom":"exampleConversation2"}}]`, 200},
		{"DELETE", "/conversations/exampleConversation1", "", 200},
	})
	// howtos/how-to-create-a-message-center/seed-users.js: lower-case methods.
	run("how-to-create-a-message-center", []call{
		{"put", "/users/messageCenterReceiver", `{"name":"Receiver","email":["r@example.com"],"role":"default"}`, 200},
		{"put", "/users/messageCenterSender", `{"name":"Sender","role":"default"}`, 200},
		{"delete", "/conversations/messageCenterExample", "", 404},
		{"put", "/conversations/messageCenterExample", `{"participants":["messageCenterReceiver","messageCenterSender"],"subject":"Inbox"}`, 200},
		{"put", "/conversations/messageCenterExample/participants/messageCenterReceiver", `{"access":"Read"}`, 200},
		{"post", "/conversations/messageCenterExample/messages", `[{"text":"Welcome","sender":"messageCenterSender","type":"UserMessage"}]`, 200},
	})
	// howtos/how-to-make-a-threaded-chat/server.js and
	// react-classic-sdk/team-chat-with-threads/backend/server.js.
	run("threaded chat", []call{
		{"PUT", "/users/threadsExampleSender", `{"name":"Sender","role":"default"}`, 200},
		{"PUT", "/users/threadsExampleReceiver", `{"name":"Receiver","role":"default"}`, 200},
		{"put", "/conversations/threadsExample", `{"participants":["threadsExampleSender","threadsExampleReceiver"],"subject":"Threads"}`, 200},
		{"post", "/conversations/threadsExample/messages", `[{"text":"Parent","sender":"threadsExampleSender","type":"UserMessage"}]`, 200},
		{"PUT", "/conversations/replyto_{msg}/", "", 200}, // team-chat: make sure it exists
		{"GET", "/conversations/replyto_{msg}/messages", "", 200},
		{"PUT", "/conversations/replyto_{msg}", `{"participants":["threadsExampleSender","threadsExampleReceiver"],"subject":"Replies","custom":{"parentConvId":"threadsExample","parentMessageId":"x"}}`, 200},
		{"PUT", "/conversations/threadsExample/messages/{msg}", `{"custom":{"replyCount":"1"}}`, 200},
		{"POST", "/conversations/replyto_{msg}/messages", `[{"text":"Parent","type":"SystemMessage"}]`, 200},
	})
	// chatbot-integration/openai-chatgpt/server.js.
	run("chatbot", []call{
		{"PUT", "/users/chatbotExampleBot", `{"name":"Bot","role":"default"}`, 200},
		{"PUT", "/users/chatbotExampleUser", `{"name":"User","role":"default"}`, 200},
		{"PUT", "/conversations/chatbotExample", `{"participants":["chatbotExampleBot","chatbotExampleUser"]}`, 200},
		{"POST", "/conversations/chatbotExample/messages", `[{"text":"_Let me think for a bit..._","sender":"chatbotExampleBot","type":"UserMessage","custom":{"isTyping":"true"}}]`, 200},
		{"PUT", "/conversations/chatbotExample/participants/chatbotExampleUser", `{"access":"Read"}`, 200},
		{"PUT", "/conversations/chatbotExample/messages/{msg}", `{"text":"An answer.","custom":{"isTyping":"false"}}`, 200},
		{"PUT", "/conversations/chatbotExample/participants/chatbotExampleUser", `{"access":"ReadWrite"}`, 200},
	})
	// howtos/how-to-mark-a-conversation-as-answered, how-to-set-an-away-message, how-to-mute-a-conversation.
	run("webhook howtos", []call{
		{"put", "/conversations/chatbotExample", `{"custom":{"answered":"true"}}`, 200},
		{"post", "/conversations/chatbotExample/messages", `[{"text":"We're currently out of the office and will get back to you during our support hours.","type":"SystemMessage"}]`, 200},
		{"post", "/conversations/chatbotExample/messages", `[{"text":"There's a problem with my order","sender":"chatbotExampleUser","type":"UserMessage"}]`, 200},
	})
	// rest-api/migrate-data-from-sendbird-to-talkjs/importers: users, channels, messages.
	run("sendbird migration", []call{
		{"PUT", "/users/sb_alice", `{"name":"Alice","photoUrl":null}`, 200},
		{"PUT", "/users/sb_bob", `{"name":"Bob"}`, 200},
		{"PUT", "/conversations/sendbird_group_channel_1", `{"participants":["sb_alice","sb_bob"],"subject":"Channel"}`, 200},
		{"POST", "/import/conversations/sendbird_group_channel_1/messages", `[{"text":"old one","sender":"sb_alice","type":"UserMessage","timestamp":1600000000000,"readBy":[]},{"text":"old two","sender":"sb_bob","type":"UserMessage","timestamp":1600000001000,"readBy":[]}]`, 200},
	})
	// rest-api/export-data/exportData.js: paged GETs with a JSON Content-Type.
	run("export-data", []call{
		{"GET", "/users?limit=100", "", 200},
		{"GET", "/conversations?limit=100", "", 200},
		{"GET", "/conversations/sendbird_group_channel_1/messages?limit=100", "", 200},
		{"GET", "/users?limit=1&startingAfter=sb_bob", "", 200},
	})
	// rest-api/anonymizing-user/anonymiseUser.js: explicit nulls, ids in bodies.
	run("anonymising", []call{
		{"PUT", "/users/sb_alice", `{"id":"sb_alice","name":"[DELETED]","email":null,"phone":null,"custom":null,"welcomeMessage":null,"photoUrl":null,"role":null,"availabilityText":null,"locale":null}`, 200},
		{"GET", "/users/sb_alice/conversations?limit=100", "", 200},
		{"PUT", "/conversations/sendbird_group_channel_1", `{"id":"sendbird_group_channel_1","participants":["sb_alice"],"subject":"[DELETED]","photoUrl":null,"custom":null,"welcomeMessages":null}`, 200},
		{"GET", "/conversations/sendbird_group_channel_1/messages?limit=100", "", 200},
	})
	var list struct {
		Data []struct{ ID, SenderID, Text string }
	}
	must(t, e.raw("GET", "/conversations/sendbird_group_channel_1/messages?limit=100", ""), 200).json(t, &list)
	for _, m := range list.Data {
		must(t, e.raw("PUT", "/conversations/sendbird_group_channel_1/messages/"+m.ID, `{"custom":null,"text":"[DELETED]"}`), 200)
	}
	var u struct {
		Name  string
		Email []string
	}
	must(t, e.raw("GET", "/users/sb_alice", ""), 200).json(t, &u)
	if u.Name != "[DELETED]" || u.Email != nil {
		t.Errorf("GET /users/sb_alice after anonymising = %+v, want name [DELETED] and no email", u)
	}
}
