package nn

import (
	"slices"
	"testing"
)

// block is a container that is not a Sequential: it stands for a layer
// written outside nn that holds layers of its own.
type block struct{ *Sequential }

func (b block) Type() string { return "Block" }

// TestContainer checks that Sequential descends into any Container, not
// only into nested Sequentials: a frozen layer inside the container drops
// out of TrainableParams, and weight names carry the container's name.
func TestContainer(t *testing.T) {
	inner, err := NewSequential("", []int{4}, NewDense(3), NewDense(2))
	if err != nil {
		t.Fatal(err)
	}
	b := block{inner}
	b.SetName("block_1")
	m, err := NewSequential("model", []int{4}, b, NewDense(1))
	if err != nil {
		t.Fatal(err)
	}
	inner.Layers()[0].(*Dense).SetTrainable(false)
	var got []string
	for _, p := range m.TrainableParams() {
		got = append(got, p.Name)
	}
	if want := []string{"dense_2/kernel", "dense_2/bias", "dense_1/kernel", "dense_1/bias"}; !slices.Equal(got, want) {
		t.Errorf("trainable params %v, want %v", got, want)
	}
	got = got[:0]
	for _, np := range m.namedParams("", nil) {
		got = append(got, np.name)
	}
	if want := []string{"block_1/dense_1/kernel", "block_1/dense_1/bias", "block_1/dense_2/kernel", "block_1/dense_2/bias", "dense_1/kernel", "dense_1/bias"}; !slices.Equal(got, want) {
		t.Errorf("named params %v, want %v", got, want)
	}
}
