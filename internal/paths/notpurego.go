//go:build !purego

package paths

const buildTags = ""
