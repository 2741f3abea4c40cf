// Package fieldtest holds the door-in-the-field suite of issue 11 (its
// tests only): a real ofhub server, on SQLite and on PostgreSQL when
// OFHUB_TEST_POSTGRES_URL is set, three doors running the real device
// engine (scanner/device, as `ofhub-scan listen` does), each behind a fault
// proxy of our own (faultproxy), scanning a shared pool of tickets where
// some people show the same ticket at two or three doors — under dropped
// connections with jitter, answers cut after the server committed, a 20 s
// blackhole and a 30 s outage. See docs/CHECKIN.md (« The door under a bad network »).
package fieldtest
