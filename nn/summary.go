package nn

import (
	"fmt"
	"strconv"
	"strings"
)

// Keras' print_summary layout for sequential models: 65 columns, fields
// ending at columns 29, 55 and 65.
const summaryWidth = 65

var summaryStops = [3]int{29, 55, 65}

// Summary returns a table of the layers, their output shapes and parameter
// counts in the format of Keras 2's model.summary(), without trailing
// spaces. Names longer than their column are cut as Keras cuts them
// ("conv2d_transpose_1 (Conv2DTr"). Frozen layers count as non-trainable.
func (m *Sequential) Summary() string {
	var b strings.Builder
	line := func(s string) { b.WriteString(strings.TrimRight(s, " ")); b.WriteByte('\n') }
	line(strings.Repeat("_", summaryWidth))
	line(summaryRow("Layer (type)", "Output Shape", "Param #"))
	line(strings.Repeat("=", summaryWidth))
	for i, l := range m.layers {
		line(summaryRow(l.Name()+" ("+l.Type()+")", shapeString(m.shapes[i]), strconv.Itoa(countParams(l.Params()))))
		if i == len(m.layers)-1 {
			line(strings.Repeat("=", summaryWidth))
		} else {
			line(strings.Repeat("_", summaryWidth))
		}
	}
	total := m.CountParams()
	trainable := countParams(m.TrainableParams())
	line("Total params: " + thousands(total))
	line("Trainable params: " + thousands(trainable))
	line("Non-trainable params: " + thousands(total-trainable))
	line(strings.Repeat("_", summaryWidth))
	return b.String()
}

// summaryRow is Keras' print_row: each field is cut at its stop, the
// previous field's last column is forced to a space, and fields are padded
// to their stops.
func summaryRow(fields ...string) string {
	line := ""
	for i, f := range fields {
		if i > 0 {
			line = line[:len(line)-1] + " "
		}
		line += f
		if len(line) > summaryStops[i] {
			line = line[:summaryStops[i]]
		}
		line += strings.Repeat(" ", summaryStops[i]-len(line))
	}
	return line
}

// shapeString formats a per-sample shape as Keras prints an output shape:
// "(None, 32, 32, 64)".
func shapeString(shape []int) string {
	parts := make([]string, 0, len(shape)+1)
	parts = append(parts, "None")
	for _, d := range shape {
		parts = append(parts, strconv.Itoa(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// thousands formats n with comma separators, as Python's "{:,}".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// layout describes the model for the safetensors metadata: one line per
// layer with its name, type and output shape, nested models indented.
func (m *Sequential) layout(indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s (Sequential) input %v\n", indent, m.name, m.in)
	for i, l := range m.layers {
		if s, ok := l.(*Sequential); ok {
			b.WriteString(s.layout(indent + "  "))
			continue
		}
		fmt.Fprintf(&b, "%s  %s (%s) %v\n", indent, l.Name(), l.Type(), m.shapes[i])
	}
	return b.String()
}
