package ent

// Dialect returns the SQL dialect of the client's driver ("sqlite3",
// "postgres"), so that hooks can use dialect-specific features such as
// PostgreSQL's NOTIFY. (Hand-written, beside the generated client.)
func (c *Client) Dialect() string { return c.driver.Dialect() }
