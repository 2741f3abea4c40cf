//go:build !race

package fieldtest_test

const racing = false
