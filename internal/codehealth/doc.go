// Package codehealth holds no code: its tests check properties of the
// whole source tree that no single package's tests can, such as the
// length of every function.
package codehealth
