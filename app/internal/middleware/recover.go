package middleware

import (
	"log/slog"
	"net/http"
	"runtime/debug"

	"goapi/internal/httpjson"
)

// Recover turns a panic in next into a 500 JSON answer and an error log line
// with the stack, instead of a dropped connection.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.ErrorContext(r.Context(), "panic serving request",
				slog.String("request_id", RequestID(r.Context())),
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())),
			)
			httpjson.Error(w, http.StatusInternalServerError, "internal", "internal server error")
		}()
		next.ServeHTTP(w, r)
	})
}
