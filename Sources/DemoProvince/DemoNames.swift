/// Names for the simulated province: districts with their place on the map, commune names.
enum DemoNames {
    struct District {
        let code: String
        let name: String
        let short: String
        let latitude: Double
        let longitude: Double
    }

    /// Eight districts in a box of central Viet Nam (the coast to the hills).
    static let districts: [District] = [
        District(code: "BSO", name: "Huyện Bình Sơn", short: "Bình Sơn", latitude: 15.28, longitude: 108.75),
        District(code: "STI", name: "Huyện Sơn Tịnh", short: "Sơn Tịnh", latitude: 15.17, longitude: 108.73),
        District(code: "TNG", name: "Huyện Tư Nghĩa", short: "Tư Nghĩa", latitude: 15.08, longitude: 108.76),
        District(code: "NHA", name: "Huyện Nghĩa Hành", short: "Nghĩa Hành", latitude: 14.97, longitude: 108.78),
        District(code: "MDU", name: "Huyện Mộ Đức", short: "Mộ Đức", latitude: 14.93, longitude: 108.88),
        District(code: "DPH", name: "Thị xã Đức Phổ", short: "Đức Phổ", latitude: 14.80, longitude: 108.95),
        District(code: "SHA", name: "Huyện Sơn Hà", short: "Sơn Hà", latitude: 15.05, longitude: 108.50),
        District(code: "BTO", name: "Huyện Ba Tơ", short: "Ba Tơ", latitude: 14.75, longitude: 108.72),
    ]

    /// Commune names as they are written in Viet Nam (numbered once the list runs out).
    static let communes: [String] = [
        "Bình Thạnh", "Bình Đông", "Bình Chánh", "Bình Hải", "Bình Phước", "Bình Trị", "Bình Khương", "Bình An",
        "Tịnh Khê", "Tịnh Hòa", "Tịnh Kỳ", "Tịnh Thiện", "Tịnh Ấn Tây", "Tịnh Long", "Tịnh Châu", "Tịnh Hà",
        "Nghĩa Kỳ", "Nghĩa Thuận", "Nghĩa Điền", "Nghĩa Thắng", "Nghĩa Hòa", "Nghĩa Hiệp", "Nghĩa Mỹ", "Nghĩa Phương",
        "Hành Thiện", "Hành Tín Đông", "Hành Tín Tây", "Hành Phước", "Hành Minh", "Hành Đức", "Hành Trung", "Hành Nhân",
        "Đức Lân", "Đức Phong", "Đức Chánh", "Đức Thạnh", "Đức Minh", "Đức Tân", "Đức Hòa", "Đức Lợi",
        "Phổ Thạnh", "Phổ Vinh", "Phổ Khánh", "Phổ Cường", "Phổ Nhơn", "Phổ An", "Phổ Quang", "Phổ Châu",
        "Sơn Hạ", "Sơn Thành", "Sơn Nham", "Sơn Cao", "Sơn Linh", "Sơn Giang", "Sơn Trung", "Sơn Thượng",
        "Ba Động", "Ba Thành", "Ba Vinh", "Ba Dinh", "Ba Cung", "Ba Tiêu", "Ba Khâm", "Ba Lế",
        "Long Sơn", "Long Mai", "Long Hiệp", "Long Môn", "Thanh An", "Thạch Trụ", "An Phú", "Hòa Bình",
        "Tân Lập", "Tân Phong", "Phú Thọ", "Quang Trung", "Chánh Lộ", "Trương Quang Trọng", "Lê Hồng Phong", "Trần Phú",
    ]
}
