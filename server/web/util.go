package web

import "fmt"

func fmtSscan(s string, q *float64) (int, error) { return fmt.Sscan(s, q) }
