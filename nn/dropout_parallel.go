package nn

import (
	"math"
	"math/bits"

	"github.com/gokern/gokern/internal/parallel"
	"github.com/gokern/gokern/kernels"
)

// Dropout's masks are drawn from one PCG stream, one 64-bit draw per two
// values, so mask value i depends on draw i/2 alone. That makes the masks
// threadable without changing them: each part of dropChunk values jumps a
// copy of the generator ahead to its first draw (PCG is a 128-bit linear
// congruential generator, so a jump of k steps is one affine map computed
// in O(log k) multiplications) and draws its own stretch. The layer's
// generator is then advanced past every draw, exactly where the serial
// loop would leave it. The draws and their output function (DXSM) are
// those of math/rand/v2's PCG, which a test checks.

// dropChunk is the values per part: even, so no draw straddles two parts.
// dropMinSplit is kept below kernels' splitMin: drawing the mask is
// compute-bound, like Tanh, which splitting sped up.
const (
	dropChunk    = 1 << 14
	dropMinSplit = 1 << 16
)

// pcgState is math/rand/v2's PCG state, a 128-bit integer.
type pcgState struct{ hi, lo uint64 }

// The PCG multiplier and increment (math/rand/v2's pcg.go), as constants
// for the inlined draw and as states for the jump ahead.
const (
	pcgMulHi, pcgMulLo = 2549297995355413924, 4865540595714422341
	pcgIncHi, pcgIncLo = 6364136223846793005, 1442695040888963407
)

var (
	pcgMul = pcgState{pcgMulHi, pcgMulLo}
	pcgInc = pcgState{pcgIncHi, pcgIncLo}
)

func (a pcgState) mul(b pcgState) pcgState {
	hi, lo := bits.Mul64(a.lo, b.lo)
	hi += a.hi*b.lo + a.lo*b.hi
	return pcgState{hi, lo}
}

func (a pcgState) add(b pcgState) pcgState {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return pcgState{hi, lo}
}

// advance returns the state k steps after s.
func (s pcgState) advance(k uint64) pcgState {
	accMul, accAdd := pcgState{0, 1}, pcgState{}
	curMul, curAdd := pcgMul, pcgInc
	for ; k > 0; k >>= 1 {
		if k&1 != 0 {
			accMul = accMul.mul(curMul)
			accAdd = accAdd.mul(curMul).add(curAdd)
		}
		curAdd = curMul.add(pcgState{0, 1}).mul(curAdd)
		curMul = curMul.mul(curMul)
	}
	return accMul.mul(s).add(accAdd)
}

// uint64 steps s and returns its output, as PCG.Uint64.
func (s *pcgState) uint64() uint64 {
	// s = s*pcgMul + pcgInc, written out with the constants so that the
	// draw inlines into the mask loop.
	hi, lo := bits.Mul64(s.lo, pcgMulLo)
	hi += s.hi*pcgMulLo + s.lo*pcgMulHi
	lo, c := bits.Add64(lo, pcgIncLo, 0)
	hi += pcgIncHi + c
	s.hi, s.lo = hi, lo
	const cheapMul = 0xda942042e4dd58b5
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	hi *= lo | 1
	return hi
}

// maskJob fills a Dropout mask (parallel.Job).
type maskJob struct {
	mask      []float32
	start     pcgState // the generator before the first draw
	threshold uint32
	scale     float32
}

// Part draws values [p*dropChunk, ...) of the mask as two interleaved
// streams, the first and the second half of the part's draws, each from
// its own jumped copy of the generator: a draw's 128-bit multiply is a
// chain of dependent steps, and two independent chains keep the multiplier
// busy. Which draw makes which value is the serial loop's, so the mask is
// too.
func (j *maskJob) Part(p int) {
	lo := p * dropChunk
	hi := min(lo+dropChunk, len(j.mask))
	draws := (hi - lo + 1) / 2
	half := draws / 2
	a := j.start.advance(uint64(lo / 2))
	b := a.advance(uint64(half))
	m := j.mask[lo:hi]
	scale := math.Float32bits(j.scale)
	for d := 0; d < half; d++ {
		ra, rb := a.uint64(), b.uint64()
		j.put(m, 2*d, ra, scale)
		j.put(m, 2*(half+d), rb, scale)
	}
	if draws > 2*half {
		j.put(m, 2*(draws-1), b.uint64(), scale)
	}
}

// put writes the two mask values of draw r at m[i] and, when it exists,
// m[i+1].
func (j *maskJob) put(m []float32, i int, r uint64, scale uint32) {
	m[i] = keepBits(uint32(r>>40), j.threshold, scale)
	if i+1 < len(m) {
		m[i+1] = keepBits(uint32(r>>8)&(1<<24-1), j.threshold, scale)
	}
}

// keepBits is a mask value: the value whose bits are scale when the 24-bit
// uniform u falls below threshold (at most 1<<24; probability keep), else
// +0. It has no branch: the comparison is a coin flip the branch predictor
// cannot learn.
func keepBits(u, threshold, scale uint32) float32 {
	below := uint32(int32(u-threshold) >> 31) // all ones when u < threshold
	return math.Float32frombits(scale & below)
}

// fillMask draws the layer's next mask into l.mask, on the shared pool
// when it is long, and advances the layer's generator past it.
func (l *Dropout) fillMask(threshold uint32, scale float32) {
	b, _ := l.pcg.AppendBinary(l.pcgBuf[:0]) // "pcg:" + hi + lo, big-endian
	var st pcgState
	for i := 0; i < 8; i++ {
		st.hi = st.hi<<8 | uint64(b[4+i])
		st.lo = st.lo<<8 | uint64(b[12+i])
	}
	j := &l.maskJob
	j.mask, j.start, j.threshold, j.scale = l.mask, st, threshold, scale
	parts := (len(l.mask) + dropChunk - 1) / dropChunk
	if len(l.mask) >= dropMinSplit && kernels.Threads() > 1 {
		parallel.Run(parts, j)
	} else {
		for p := 0; p < parts; p++ {
			j.Part(p)
		}
	}
	end := st.advance(uint64((len(l.mask) + 1) / 2))
	l.pcg.Seed(end.hi, end.lo)
	j.mask = nil
}
