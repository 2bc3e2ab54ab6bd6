import Hummingbird

/// `GET /assets/app.css`: the pages' one stylesheet, served by the collector itself (government
/// networks may have no internet) and cached by the browser for a day; the version in the path
/// changes with the text.
struct AssetRoutes {
    static let version = "4"
    static let stylesheetPath = "/assets/app.css?v=" + version

    func add(to router: Router<BasicRequestContext>) {
        router.get("/assets/app.css") { request, _ -> Response in
            PageLayout.compressed(request, Array(Self.stylesheet.utf8), status: .ok, contentType: "text/css; charset=utf-8",
                                  extra: [.cacheControl: "public, max-age=86400"])
        }
    }

    /// Phone first (360 px), wider tables and the map beside the list from 900 px.
    static let stylesheet = """
        *{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;background:#f4f5f7}
        header{display:flex;flex-wrap:wrap;align-items:center;gap:4px 14px;padding:8px 12px;background:#17324d;color:#fff}
        header a{color:#fff;text-decoration:none}header .brand{font-weight:700;margin-right:auto}nav{display:flex;gap:12px;flex-wrap:wrap}
        main{padding:10px 12px;max-width:1280px;margin:0 auto}h1{font-size:1.25em;margin:.3em 0}h2{font-size:1.05em;margin:1.2em 0 .4em}
        a{color:#0b5cad}small,.muted{color:#5f6b76}table{border-collapse:collapse;width:100%;background:#fff}
        th,td{padding:4px 6px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}th{font-weight:600;background:#eef1f4}
        td.n,th.n{text-align:right;white-space:nowrap}.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
        form.filters{display:flex;flex-wrap:wrap;gap:6px;align-items:end;margin:6px 0}form.filters label{display:flex;flex-direction:column;font-size:.85em}
        select,button,input{font:inherit;padding:5px 6px}button{background:#17324d;color:#fff;border:0;border-radius:3px}
        .counts{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0;padding:0;list-style:none}.counts li a{display:block;padding:3px 8px;border-radius:12px;background:#fff;border:1px solid #d5dae0;text-decoration:none;color:inherit}
        .dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:4px;vertical-align:-1px}
        .s-ok{background:#2a9d5c;fill:#2a9d5c}.s-degraded{background:#e0a100;fill:#e0a100}.s-line_down_on_4g{background:#e06a00;fill:#e06a00}
        .s-dark{background:#c62828;fill:#c62828}.s-agent_stopped{background:#7b57b5;fill:#7b57b5}.s-maintenance{background:#7a8a99;fill:#7a8a99}
        .s-unknown{background:#c4cbd2;fill:#c4cbd2}.grid{display:grid;gap:12px}.card{background:#fff;border:1px solid #e3e6ea;border-radius:4px;padding:8px}
        svg{max-width:100%;height:auto;display:block}svg text{font:11px sans-serif;fill:#5f6b76}.map{background:#fff;border:1px solid #e3e6ea}
        dl.kv{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0}dl.kv dt{color:#5f6b76}dl.kv dd{margin:0}
        .warn{color:#b25000}.bad{color:#c62828;font-weight:600}.ok{color:#1e7a46}.tabs a{margin-right:10px}.tabs b{margin-right:10px}
        @media(min-width:900px){.grid.two{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}body{font-size:14px}}
        .map polygon.district{fill:#eaf0f6;stroke:#b8c6d4;stroke-width:1}.map text.district{font-size:12px;fill:#3d4b59;paint-order:stroke;stroke:#fff;stroke-width:3px}
        .map .scale line{stroke:#3d4b59;stroke-width:2}
        @media(max-width:640px){table.stack thead{display:none}table.stack,table.stack>tbody,table.stack>tbody>tr{display:block;width:100%}
        table.stack>tbody>tr{border-bottom:1px solid #e3e6ea;padding:5px 6px}table.stack>tbody>tr>td{display:inline-block;border:0;padding:1px 10px 1px 0;text-align:left}
        table.stack>tbody>tr>td.main{display:block}table.stack>tbody>tr.more{border-top:0;padding-top:0}table.stack td[data-l]::before{content:attr(data-l) " ";color:#5f6b76;font-size:.85em}
        svg.chart text{font-size:24px}.map text.district{font-size:17px}}
        @media print{header,form.filters{display:none}}
        /* incidents page */
        .flash{padding:6px 8px;border-radius:3px;background:#fff;border:1px solid currentColor}.inc{margin:8px 0}.inc h3{font-size:1em;margin:0 0 4px}
        .inc p{margin:2px 0}.inc .inc{margin:6px 0 0;border-left:3px solid #d5dae0}.sev-critical{border-left:4px solid #c62828}.sev-warning{border-left:4px solid #e0a100}
        .st{font-weight:600}.st-firing{color:#c62828}.st-flapping{color:#b25000}.st-acknowledged{color:#1e7a46}.notes{margin:4px 0;padding-left:18px}
        .acts{display:flex;flex-wrap:wrap;gap:6px;align-items:start;margin-top:6px}.acts form{display:flex;flex-wrap:wrap;gap:4px;margin:4px 0}
        .acts textarea,.acts input{max-width:100%;min-width:0;flex:1 1 160px}.acts summary{cursor:pointer;padding:5px 6px;color:#0b5cad}.history{padding-left:18px}
        /* report page */
        .actions{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline}.legend{display:flex;flex-wrap:wrap;gap:2px 10px;margin:4px 0;padding:0;list-style:none;font-size:.85em}
        .sw{display:inline-block;width:.8em;height:.8em;margin-right:3px;vertical-align:-1px}svg.bar{display:inline-block;margin:2px 0 0 auto;max-width:120px}
        tr.parts>td{padding-top:0;border-bottom:1px solid #c4cbd2}tr.parts summary{font-size:.85em;color:#5f6b76}table.parts{width:auto;margin:4px 0}table.report>tbody>tr>td:nth-child(2){min-width:9em}table.report>tbody>tr>td:nth-child(12){min-width:13em}h3{font-size:1em;margin:0 0 .3em}
        @page{size:A4 landscape;margin:10mm}
        @media print{body{background:#fff;color:#000;font-size:9pt}main{max-width:none;padding:0}nav,form,.actions{display:none}a{color:#000;text-decoration:none}
        .scroll{overflow:visible}.card{border:0}thead{display:table-header-group}tr{break-inside:avoid}section.report-part+section.report-part{break-before:page}h2{break-after:avoid}
        *{-webkit-print-color-adjust:exact;print-color-adjust:exact}th{background:#eee}small,.muted,tr.parts summary{color:#333}
        table.report{font-size:8pt}table.report td,table.report th{padding:2px 3px;overflow-wrap:anywhere}table.report>tbody>tr>td:nth-child(n){min-width:0}table.report>tbody>tr>td:nth-child(12){max-width:16em}svg.bar{max-width:70px}}
        """
}
