package nn

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

const (
	formatName   = "gokern.nn/v1"
	kindWeights  = "weights"
	kindOptState = "adam"
)

// SaveWeights writes every parameter of m to path as a safetensors file of
// F32 tensors named as in Keras ("conv2d_1/kernel"; parameters of nested
// models are prefixed with the model's name, "discriminator/conv2d_1/kernel").
// The metadata records the format, the model's name and its layer layout.
// The write is atomic: path holds either its old content or the new one.
func SaveWeights(path string, m *Sequential) error {
	var ts []stTensor
	for _, np := range m.namedParams("", nil) {
		ts = append(ts, stTensor{np.name, np.p.Shape, np.p.Value})
	}
	return writeSafetensors(path, ts, m.metadata(kindWeights))
}

// LoadWeights reads parameters saved by SaveWeights into m. The file must
// hold exactly m's tensors with m's shapes, all F32; otherwise, or when the
// file is truncated or corrupt, LoadWeights returns an error naming the
// problem and leaves m unchanged.
func LoadWeights(path string, m *Sequential) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("nn: load weights: %w", err)
	}
	if err := loadWeights(b, m); err != nil {
		return fmt.Errorf("nn: load weights %s: %w", path, err)
	}
	return nil
}

func loadWeights(b []byte, m *Sequential) error {
	f, err := parseSafetensors(b)
	if err != nil {
		return err
	}
	if err := f.checkKind(kindWeights); err != nil {
		return err
	}
	var ts []stTensor
	for _, np := range m.namedParams("", nil) {
		ts = append(ts, stTensor{np.name, np.p.Shape, np.p.Value})
	}
	return f.fill(ts)
}

func (m *Sequential) metadata(kind string) map[string]string {
	in, _ := json.Marshal(m.in)
	return map[string]string{
		"format":      formatName,
		"kind":        kind,
		"model":       m.name,
		"input_shape": string(in),
		"layout":      m.layout(""),
	}
}

// checkKind rejects a gokern file of another kind (optimiser state passed
// as weights, say). Files without gokern metadata are judged by their
// tensors alone.
func (f *stFile) checkKind(kind string) error {
	if f.meta["format"] != formatName {
		return nil
	}
	if k := f.meta["kind"]; k != kind {
		return fmt.Errorf("file holds %q, not %q", k, kind)
	}
	return nil
}

// SaveAdam writes o's state for the parameters of m to path as safetensors:
// for each parameter, its first and second moments as "<name>/adam_m" and
// "<name>/adam_v", and in the metadata its step count and o's
// hyper-parameters. Parameters o has not stepped are saved with zero moments
// and step 0. The write is atomic.
func SaveAdam(path string, o *Adam, m *Sequential) error {
	nps := m.namedParams("", nil)
	steps := make(map[string]int, len(nps))
	var ts []stTensor
	for _, np := range nps {
		mv, vv := make([]float32, len(np.p.Value)), make([]float32, len(np.p.Value))
		if s, ok := o.state[np.p]; ok {
			copy(mv, s.m)
			copy(vv, s.v)
			steps[np.name] = s.t
		} else {
			steps[np.name] = 0
		}
		ts = append(ts, stTensor{np.name + "/adam_m", np.p.Shape, mv}, stTensor{np.name + "/adam_v", np.p.Shape, vv})
	}
	meta := m.metadata(kindOptState)
	sj, _ := json.Marshal(steps)
	meta["steps"] = string(sj)
	for k, v := range map[string]float32{"lr": o.LR, "beta1": o.Beta1, "beta2": o.Beta2, "eps": o.Eps} {
		meta[k] = strconv.FormatFloat(float64(v), 'g', -1, 32)
	}
	return writeSafetensors(path, ts, meta)
}

// LoadAdam restores into o the state SaveAdam wrote for m's parameters,
// including the hyper-parameters, so training resumes where it stopped.
// On any error o is unchanged.
func LoadAdam(path string, o *Adam, m *Sequential) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("nn: load optimiser state: %w", err)
	}
	if err := loadAdam(b, o, m); err != nil {
		return fmt.Errorf("nn: load optimiser state %s: %w", path, err)
	}
	return nil
}

func loadAdam(b []byte, o *Adam, m *Sequential) error {
	f, err := parseSafetensors(b)
	if err != nil {
		return err
	}
	if f.meta["format"] != formatName || f.meta["kind"] != kindOptState {
		return fmt.Errorf("not a gokern Adam state file (metadata format %q, kind %q)", f.meta["format"], f.meta["kind"])
	}
	var steps map[string]int
	if err := json.Unmarshal([]byte(f.meta["steps"]), &steps); err != nil {
		return fmt.Errorf("metadata steps: %v", err)
	}
	hyper := map[string]float32{}
	for _, k := range []string{"lr", "beta1", "beta2", "eps"} {
		v, err := strconv.ParseFloat(f.meta[k], 32)
		if err != nil {
			return fmt.Errorf("metadata %s: %v", k, err)
		}
		hyper[k] = float32(v)
	}
	nps := m.namedParams("", nil)
	states := make([]*adamState, len(nps))
	var ts []stTensor
	for i, np := range nps {
		t, ok := steps[np.name]
		if !ok || t < 0 {
			return fmt.Errorf("metadata steps has no valid count for %q", np.name)
		}
		s := &adamState{m: make([]float32, len(np.p.Value)), v: make([]float32, len(np.p.Value)), t: t}
		states[i] = s
		ts = append(ts, stTensor{np.name + "/adam_m", np.p.Shape, s.m}, stTensor{np.name + "/adam_v", np.p.Shape, s.v})
	}
	if err := f.fill(ts); err != nil {
		return err
	}
	if o.state == nil {
		o.state = map[*Param]*adamState{}
	}
	for i, np := range nps {
		if states[i].t == 0 {
			delete(o.state, np.p)
			continue
		}
		o.state[np.p] = states[i]
	}
	o.LR, o.Beta1, o.Beta2, o.Eps = hyper["lr"], hyper["beta1"], hyper["beta2"], hyper["eps"]
	return nil
}
