module github.com/gotalkjs/talkjs-go/internal

go 1.26.0

