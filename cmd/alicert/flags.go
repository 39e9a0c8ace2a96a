package main

import (
	"errors"
	"flag"
	"strconv"
	"strings"
	"time"
)

// day is 24 hours: the unit of certificate lifetimes.
const day = 24 * time.Hour

// daysValue is a flag.Value for a duration given in days ("30d") or as a Go
// duration ("720h").
type daysValue time.Duration

// Set parses "30d", "1.5d" or a Go duration; negative values are refused.
func (d *daysValue) Set(s string) error {
	var v time.Duration
	if n, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil || f != f || f > float64(1<<62)/float64(day) {
			return errors.New(`want days such as "30d", or a duration such as "720h"`)
		}
		v = time.Duration(f * float64(day))
	} else {
		var err error
		if v, err = time.ParseDuration(s); err != nil {
			return errors.New(`want days such as "30d", or a duration such as "720h"`)
		}
	}
	if v < 0 {
		return errors.New("must not be negative")
	}
	*d = daysValue(v)
	return nil
}

// String gives whole days as "30d", other durations in Go's form.
func (d *daysValue) String() string { return formatDays(time.Duration(*d)) }

// formatDays formats a duration as whole days ("30d") when it is one.
func formatDays(v time.Duration) string {
	if v != 0 && v%day == 0 {
		return strconv.FormatInt(int64(v/day), 10) + "d"
	}
	return v.String()
}

// defaultTimeout is -timeout's default for the verbs that make a few calls
// (list, get, upload, status, quota, csr, revoke, delete): long enough for
// list to read a large inventory a page at a time, short enough that a
// service that never answers does not keep a cron run going.
const defaultTimeout = 10 * time.Minute

// timeoutVar adds -timeout to fs; usage says what it bounds.
func timeoutVar(fs *flag.FlagSet, p *time.Duration, usage string) {
	fs.DurationVar(p, "timeout", defaultTimeout, usage)
}

// checkTimeout refuses a -timeout that is not positive; it returns the exit
// code to stop with.
func (c *cli) checkTimeout(fs *flag.FlagSet, d time.Duration) (code int, stop bool) {
	if d <= 0 {
		return c.usageError(fs, "-timeout must be positive"), true
	}
	return 0, false
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	return found
}
