/// The units a seizure or a threshold can be written in.
public enum QuantityUnit: String, Sendable, CaseIterable, Codable {
    case g, mg
    case µg = "µg"
    case tablets, pieces, plants, blotters

    /// Grams per unit for masses; nil for counts, which never convert to mass.
    public var grams: Double? {
        switch self {
        case .g: 1
        case .mg: 0.001
        case .µg: 0.000_001
        case .tablets, .pieces, .plants, .blotters: nil
        }
    }

    /// Also accepts `ug` and `mcg` for micrograms, as people type them.
    public init?(text: String) {
        switch text {
        case "ug", "mcg", "μg": self = .µg
        default: self.init(rawValue: text)
        }
    }

    /// `amount` of this unit expressed in `other`, or nil when the two cannot be compared.
    public func convert(_ amount: Double, to other: QuantityUnit) -> Double? {
        if self == other { return amount }
        guard let from = grams, let to = other.grams else { return nil }
        return amount * from / to
    }
}

/// Whether a threshold counts the whole seized material or only the active substance in it.
public enum ThresholdBasis: String, Sendable, CaseIterable, Codable {
    case gross, pure
}
