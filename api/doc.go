// Package api is an in-memory server that behaves like the TalkJS REST API as
// its documentation describes it. It serves /v1/{appId}/… for one app,
// authenticates every request like TalkJS, validates every request against
// the embedded OpenAPI specification before any handler runs, and keeps all
// data in memory. It backs this module's tests, package talkjstest for
// users' tests, and the `talkjs serve` command.
//
//	srv := api.NewServer(api.WithAppID("myapp"), api.WithSecret("sk_test_…"))
//	http.ListenAndServe("127.0.0.1:8080", srv)
//
// # Requests
//
// Each request passes, in order: an injected 503 (WithFaults), the app id
// (any other is 404), authentication (the secret key as bearer token, or an
// HS256 JWT signed with it with tokenType "app", iss the app id and, when exp
// is given, not expired by the wall clock; anything else is 401), the rate
// limit (WithRateLimit; 429 with Retry-After; only authenticated requests
// count), the body limit (413, chunked or not; the server reads on what the
// client still sends, up to 64 MiB, so that it reads the 413), validation
// against the spec (400, or 404/405 for a path or method the spec does not
// have, with one readable sentence as message), then the handler; after it,
// an injected 502 or cut connection. Errors are JSON {"error", "message"}
// (plus "errors" per user id for a batch user upsert).
//
// # Choices where TalkJS's documentation is silent
//
// Each reading below says why; the spec marks what is ours with
// x-talkjs-source (kind "ours").
//
//   - Paths are routed as sent, never cleaned: an empty, "." or ".." segment
//     (raw or percent-encoded) is 400, because cleaning would redirect a
//     request to another resource (DELETE …/participants/.. would become
//     DELETE of the conversation). A segment that is not UTF-8 once
//     unescaped is 400 (JSON cannot carry such an id). One trailing slash is
//     dropped: TalkJS's team-chat tutorial PUTs /conversations/{id}/.
//   - Every GET path answers HEAD (RFC 9110), and a method a path does not
//     have is 405 with an Allow header listing the ones it has.
//   - Every answer the server writes is JSON, a handler's panic included
//     (500). What net/http answers before the server sees the request stays
//     plain text: a malformed request line or URL (an invalid %-escape),
//     headers over the size limit (431).
//   - An empty body where the spec makes it optional means {}: the team-chat
//     tutorial PUTs a conversation with Content-Type JSON and no body.
//   - Users are listed newest first. Lists take startingAfter as an id; an
//     unknown id is 400. Without limit a page has 10 items. A startingAfter
//     naming a conversation or message deleted since the previous page
//     continues after the place it had: the server remembers where deleted
//     items were for an hour of its clock (the latest 100,000 of them).
//   - A conversation filter may be at most 16 KiB long with at most 100
//     conditions over all branches of an "any" (400 beyond).
//   - Conversation participants must be existing users (400 from a
//     conversation PUT, 404 from a participant PUT); joining sets joinedAt,
//     a later PUT of the participation keeps it and the read marker.
//   - Participation calls are idempotent (TalkJS's Participation reference:
//     "can be called multiple times in a row"): leaving a conversation one
//     does not take part in answers 200 like the first leave; a repeated
//     PUT or PATCH answers as the first. PATCHing the participation of a
//     user who never joined, removing a reaction that is not there, or
//     marking read for a non-participant is 404 (ours: nothing to be
//     idempotent with). Reacting needs a participant (400).
//   - Read state is a marker per participant: a message is read by a user
//     when the marker covers it, or when it was imported with the user in
//     readBy. Sending marks the conversation read for the sender up to the
//     new message. POST …/readBy/{userId} and readUntil "sent" read
//     everything; a readUntil timestamp makes later messages unread. readBy
//     of a message never lists its sender; everyoneReadUntil is the lowest
//     marker once every participant has one.
//   - A send is checked whole before anything is stored. Exactly one of
//     text, attachmentToken, content or location. Content blocks are stored
//     as sent and their text (plain strings and the text of marks) becomes
//     the message's text; a message sent otherwise gets the block TalkJS
//     gives it (text, file with its token, size and a subtype from the
//     file name's extension — ours —, or location), and editing the text
//     makes the content follow. Message ids are msg_ and 22 characters, like
//     TalkJS's. A SystemMessage carries no location. A repeated
//     idempotencyKey (same conversation, within 24 hours of the server's
//     clock) answers the first message's id, also within one request.
//   - Import needs UserMessages by participants and their original time
//     (timestamp, TalkJS's name, or the seed's createdAt; timestamp wins);
//     readBy left out means nobody. Imports are listed by their time.
//   - Batch answers carry each operation's answer as a JSON text in a
//     string, as TalkJS's Batch reference types operation_response.
//   - The app (GET/PUT /v1/{appId}) has custom data and a default locale;
//     the server answers /v1/{appId} with and without a trailing slash.
//     POST …/notifications is recorded (Server.Notifications; the latest
//     1,000) and sends nothing; its recipients must take part (400). The
//     legacy GET /users/{id}/sessions lists one session, not typing, while
//     the user's stored presence is online (visible or not), and none
//     while it is offline: an offline user has no live session, as POST
//     /presences, which lists only online users, also says.
//   - Conversation filters follow TalkJS's official @talkjs/core 1.12.0
//     where its language and the REST one share a field: between is
//     half-open, a reversed interval and an empty oneOf are legal.
//   - Uploaded files are served without authentication at
//     /files/{token}/{filename} (a 32-character random token, like a CDN
//     URL), with X-Content-Type-Options nosniff, a sandboxing
//     Content-Security-Policy, and Content-Disposition attachment for
//     anything but PNG, JPEG, GIF, WebP, AVIF and BMP images. A file is
//     deleted with the last message that carries it; an upload no message
//     carries is deleted after WithUploadExpiry (1 hour) of the server's
//     clock. All files together may hold WithMaxStoredFileBytes (512 MiB);
//     an upload beyond is 413 with a message saying the store is full.
//   - An idempotency key is forgotten with the message it sent, and 24 hours
//     after it was given, in every conversation.
//   - The server keeps the latest 64 requests that broke the specification
//     for Violations; WithViolationReport sees every one.
//   - Batch runs its operations in order through the same validation and
//     handlers, without rate limit or faults; a malformed entry makes the
//     whole batch 400 before anything runs. A batch cannot hold a batch.
//   - Presence set with the deprecated PUT …/presence is returned by GET and
//     by POST /presences, each online user as one session: a focused widget
//     when visible, a background session otherwise.
//   - API versions (TalkJS's API changelog), chosen per request by
//     TalkJS-REST-Version and per batch operation by options.api_version;
//     without either the newest behaviour applies: before 2021-02-09 lists
//     are createdAt DESC and offsetTs is ignored; before 2021-07-30 leaving
//     keeps the conversation in the user's list with its history — modelled
//     as the participant's access becoming None, the name 2021-07-30 gave
//     that state (our reading) — and PATCHing access None is 400; before
//     2024-01-01 listing a missing user's conversations is an empty list
//     (404 otherwise).
//
// # Webhooks
//
// WithWebhook registers endpoints (URL, secret, event types). A state change
// that TalkJS reports queues an event {"id", "type", "createdAt", "data"}
// for each endpoint that takes its type; background goroutines POST it,
// signed like TalkJS (X-TalkJS-Timestamp, and X-TalkJS-Signature, the
// upper-case hex HMAC-SHA256 of timestamp "." body), wait at most 5 seconds,
// and send once more after any answer but 200 [docs]. The timestamp is
// Unix milliseconds (ours: TalkJS documents no unit). Each endpoint has a
// bounded queue (WithWebhookQueue) split in lanes by conversation (by user
// for user events), so the events of one conversation arrive in order; a
// full queue drops the event instead of slowing the API. WebhookStats
// counts delivered, retried, failed and dropped events; FlushWebhooks waits
// for the queues to empty, CloseWebhooks stops delivery. The data objects
// are rendered by the same code as the REST answers, at the moment of the
// change. What emits what:
//
//	user.created          PUT /users/{id} or PUT /users creating a user   data.user            [docs; data: TalkJS example code]
//	user.updated          the same, for an existing user (changed or not)  data.user            [docs; "changed or not" ours]
//	message.sent          each message stored by POST …/messages (not an   data.message,        [docs; data: TalkJS example code,
//	                      idempotent repeat; also inside /batch)           .conversation,       sender null for a SystemMessage
//	                                                                       .sender              ours]
//	message.read          a participant's read marker first covering a     data.message,        [docs; the REST read marker as the
//	                      message (POST …/readBy/{user}, PATCH readUntil,  .conversation,       trigger is ours, since TalkJS sends
//	                      or sending, which reads what came before): not   .sender, .recipient  it from its UI; data: TalkJS
//	                      for the reader's own messages or ones imported                        example code]
//	                      as read, at most once per message and reader,
//	                      only with at most 300 participants
//	message.updated       PUT …/messages/{id}                              data.message,        [docs; data ours]
//	                                                                       .conversation, .sender
//	message.deleted       DELETE …/messages/{id}; data as it was           the same             [docs, seed; data ours]
//	conversation.deleted  DELETE /conversations/{id}; data as it was       data.conversation    [docs; data ours]
//	notification.*        only Server.TriggerNotification, and            data.recipient,      [docs list the types; data:
//	                      notification.triggered for each recipient of     .sender, .conversation, community code; notificationId,
//	                      POST /conversations/{id}/notifications (the      .messages, .notificationId, channel, url and the
//	                      server sends no e-mail and never decides on its  .channel, .url       POST as a trigger ours]
//	                      own that a notification is due)
//
// Nothing else emits: conversation upserts, joining, leaving, participation
// changes, reactions and presence have no documented event; import and
// DELETE …/messages (delete all) send none [docs].
//
// The server is safe for concurrent use; one lock guards the store.
// Messages are kept per conversation in time order with an index by id, so
// a send is an append. Conversations are kept in ordered indexes (B-trees) by
// createdAt and by lastActivity, for the app and per user, and every
// participant's unread count is kept up to date as messages come and go, so
// a page of a conversation list costs a seek and the conversations it looks
// at. A list that has to look at many conversations (a filter that few
// pass) lets go of the lock every 512 of them, and answers are encoded after
// the lock is released. Without response validation and faults (as in
// `talkjs serve`) answers are written as they are made, and lists stream
// one item at a time.
package api
