/// The L2 norm of all gradients, as `torch.nn.utils.clip_grad_norm_` measures it before clipping.
/// With `sparseRows`, the table's rows outside `sparseRows.rows` are known to be zero and not read.
public func gradientNorm(_ gradients: UnsafeBufferPointer<Float>, sparseRows: SparseRows? = nil) -> Float {
    // Squares summed in 16 Float lanes per block of 4,096 values, blocks summed in Double in block
    // order: the blocks are shared out between the cores, the final sum is not. A block of zeros
    // sums to exactly 0, so leaving it out gives the same norm.
    let blockSize = 4096
    let blockCount = (gradients.count + blockSize - 1) / blockSize
    let raw = UnsafeRawPointer(gradients.baseAddress!)
    var live = [Bool](repeating: true, count: blockCount)
    if let sparseRows {
        for block in (sparseRows.table.lowerBound + blockSize - 1) / blockSize..<(sparseRows.table.upperBound / blockSize) { live[block] = false }
        for range in sparseRows.ranges {
            for block in range.lowerBound / blockSize...((range.upperBound - 1) / blockSize) { live[block] = true }
        }
    }
    let liveBlocks = live.indices.filter { live[$0] }
    let blocks = UnsafeMutableBufferPointer<Double>.allocate(capacity: blockCount)
    defer { blocks.deallocate() }
    blocks.initialize(repeating: 0)
    parallelParts(liveBlocks.count, minimumPart: 16) { part in
        for block in liveBlocks[part] {
            let start = block * blockSize, end = min(start + blockSize, gradients.count)
            var lanes = Float16x()
            var index = start
            while index + 16 <= end {
                let values = raw.loadUnaligned(fromByteOffset: index * 4, as: Float16x.self)
                lanes += values * values
                index += 16
            }
            var sum = Double(lanes.sum())
            while index < end { sum += Double(gradients[index]) * Double(gradients[index]); index += 1 }
            blocks[block] = sum
        }
    }
    var sum: Double = 0
    for block in blocks { sum += block }
    return Float(sum.squareRoot())
}

/// The factor `torch.nn.utils.clip_grad_norm_` scales the gradients by: maxNorm / (norm + 1e-6)
/// when that is below 1, otherwise 1 (no clipping). The optimizer applies it as it reads them.
public func clippingScale(norm: Float, maxNorm: Float?) -> Float {
    guard let maxNorm else { return 1 }
    return min(1, maxNorm / (norm + 1e-6))
}
