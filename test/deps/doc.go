// Package deps holds checks on what the shipped binaries link: test doubles and test libraries stay out of the
// operator and the demo.
package deps
