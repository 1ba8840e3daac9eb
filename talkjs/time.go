package talkjs

import "time"

// Every timestamp of the API is a Unix time in milliseconds, held in an
// int64 field (CreatedAt, ReadUntil, Timestamp…). The types that hold one
// have a method that returns it as a time.Time ([Message.CreatedTime],
// [Participant.ReadUntilTime]…); Millis goes the other way.

// Millis returns t as a Unix time in milliseconds, for the timestamp fields
// of requests ([ImportMessage].Timestamp, [ConversationListOptions].OffsetTs…).
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Time returns the time of a Unix timestamp in milliseconds; Time(0) is
// 1970-01-01. The methods of the answer types return the zero Time for 0.
func Time(ms int64) time.Time { return time.UnixMilli(ms) }

// msTime is Time, with 0 (a timestamp TalkJS left out) as the zero Time.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
