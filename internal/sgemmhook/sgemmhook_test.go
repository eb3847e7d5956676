package sgemmhook

import "testing"

func TestSetGet(t *testing.T) {
	if Get() != nil {
		t.Fatal("a hook is set before Set")
	}
	calls := 0
	Set(func(bool, bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int) {
		calls++
	})
	Get()(false, false, 0, 0, 0, 0, nil, 0, nil, 0, 0, nil, 0)
	Set(nil)
	if calls != 1 || Get() != nil {
		t.Errorf("calls = %d, hook after Set(nil) = %v", calls, Get() != nil)
	}
}
