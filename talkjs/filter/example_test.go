package filter_test

import (
	"fmt"
	"net/url"
	"time"

	"github.com/gotalkjs/talkjs-go/talkjs/filter"
)

func Example() {
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f := filter.Where{
		Custom: filter.Custom{
			"category": filter.OneOf("shoes", "sandals"),
			"seller":   filter.Exists(),
		},
		Access:            filter.AccessIsNot(filter.None),
		HasUnreadMessages: filter.Bool(true),
		LastMessageTs:     filter.Gte(since.UnixMilli()),
	}
	js, err := f.FilterJSON()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(js))
	// Output:
	// {"access":["!=","None"],"custom":{"category":["oneOf",["shoes","sandals"]],"seller":"exists"},"hasUnreadMessages":true,"lastMessageTs":[">=",1704067200000]}
}

func ExampleAny() {
	f := filter.Any(
		filter.Where{Subject: filter.Eq("Support")},
		filter.Where{Custom: filter.Custom{"priority": filter.Eq("high")}},
	)
	fmt.Println(f)
	// Output:
	// ["any",[{"subject":["==","Support"]},{"custom":{"priority":["==","high"]}}]]
}

// The filter travels in the query string, URL-encoded once.
func Example_query() {
	f := filter.Where{Custom: filter.Custom{"category": filter.Eq("shoes")}}
	js, err := f.FilterJSON()
	if err != nil {
		fmt.Println(err)
		return
	}
	q := url.Values{"filter": {string(js)}, "limit": {"10"}}
	fmt.Println(q.Encode())
	// Output:
	// filter=%7B%22custom%22%3A%7B%22category%22%3A%5B%22%3D%3D%22%2C%22shoes%22%5D%7D%7D&limit=10
}

// An impossible filter is reported when it is encoded, naming the field.
func ExampleAnyFilter_FilterJSON_impossible() {
	f := filter.Any(
		filter.Where{HasUnreadMessages: filter.Bool(true)},
		filter.Where{LastMessageTs: filter.Gt(1 << 60)},
	)
	_, err := f.FilterJSON()
	fmt.Println(err)
	// Output:
	// filter: any[1].lastMessageTs: > operand 1152921504606846976 is beyond ±(2^53-1), which a JavaScript number cannot hold exactly
}

// On the subject, Exists and NotExists compare with null, as TalkJS does.
func ExampleNotExists() {
	fmt.Println(filter.Where{Subject: filter.NotExists()})
	fmt.Println(filter.Where{Custom: filter.Custom{"seller": filter.NotExists()}})
	// Output:
	// {"subject":["==",null]}
	// {"custom":{"seller":"!exists"}}
}
