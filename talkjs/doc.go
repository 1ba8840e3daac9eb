// Package talkjs is a client for the TalkJS REST API: users, conversations,
// participants, messages, files, imports, batches and presence.
//
// Create one Client per app and share it; it is safe for concurrent use:
//
//	client, err := talkjs.NewClient(appID, secretKey)
//	// or talkjs.NewClientFromEnv(), reading TALKJS_APP_ID, TALKJS_SECRET_KEY
//	// and TALKJS_BASE_URL
//
// The calls are grouped by area, each with ctx first:
//
//	err := client.Users.Upsert(ctx, "alice", talkjs.UserInput{Name: "Alice"})
//	err = client.Conversations.Upsert(ctx, "order-42", talkjs.ConversationInput{
//		Subject:      talkjs.Value("Your order"),
//		Participants: []string{"alice", "bob"},
//	})
//	ids, err := client.Messages.Send(ctx, "order-42",
//		talkjs.UserMessage("alice", "Hi Bob!"),
//		talkjs.SystemMessage("Bob joined"))
//
// # Updates and null
//
// TalkJS changes only the fields a request carries. Input fields that can
// be cleared are of type Nullable: leave them zero to keep the stored value,
// set them with String or Value, or clear them with Null. Custom data is a
// [CustomInput], where a key set to Null is removed.
//
// # Lists and iterators
//
// Each list has a single-page call (List, Conversations) taking
// [ListOptions], and a lazy iterator (All, AllConversations) that walks every
// page with range-over-func:
//
//	for user, err := range client.Users.All(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(user.Name)
//	}
//
// Iterators request nothing until ranged over, stop at break, and never
// change the options they are given. Conversation lists take a
// [ConversationFilter]: build one with package talkjs/filter, or write the
// JSON by hand with [RawFilter].
//
// # Authentication
//
// Each request attempt carries a fresh app token (an HS256 JWT signed with
// the secret key, tokenType "app", valid for 30 seconds by default; see
// [WithTokenLifetime]). [WithLegacySecretKeyAuth] sends the secret key itself
// instead. For the browser side, [Client.UserToken] mints user tokens and
// [Client.Signature] computes the legacy identity-verification signature.
//
// # Errors
//
// A call that TalkJS answers with an error status returns an *Error, which
// holds the status, TalkJS's message, the raw body, the method and path, and
// how many attempts were made; test for the common cases with errors.Is and
// [ErrNotFound], [ErrUnauthorized], [ErrRateLimited] or [ErrBadRequest]. Arguments
// that cannot be right (an empty id, an id of "." or "..", a message with
// both text and an attachment, a page size over 100…) are rejected before
// anything is sent with an *ArgumentError, which matches
// [ErrInvalidArgument]. No error or log line ever holds the secret key or a
// token.
//
// # Retries
//
// Failed requests are retried up to 3 times with capped, jittered
// exponential backoff, honouring Retry-After, and the waits end when the
// context does. Only what is safe is retried: see [RetryPolicy]. Message
// sends are safe because the client gives every message an idempotency
// key; imports and batches are retried only when TalkJS cannot have acted
// on them. Change the policy with [WithRetryPolicy] or [WithMaxRetries] (0
// turns retries off).
//
// # Chunking
//
// [UsersService.UpsertMany] sends 100 users per request, [MessagesService.Send]
// and [ImportService.Messages] 10 messages per request, in order.
//
// # Testing your code
//
// [WithBaseURL] points the client at a fake server, such as the one in
// package talkjs/talkjstest; the option validate.Requests of package
// talkjs/validate checks every request against the OpenAPI specification
// before it is sent ([WithRequestCheck] runs a check of your own).
package talkjs
