//go:build purego

package paths

const buildTags = " with -tags purego"
