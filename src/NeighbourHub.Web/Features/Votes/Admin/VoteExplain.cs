using System.Globalization;

namespace NeighbourHub.Web.Features.Votes.Admin;

/// <summary>
/// Why a closed vote passed or failed, spelt out from the published counts and areas (exact: heads are integers, areas
/// have two decimals), so the console's banner says which bound of the rule was met or missed.
/// </summary>
public static class VoteExplain
{
    public static IReadOnlyList<string> Reasons(ResultsView r)
    {
        var p = r.Participation;
        var motion = r.Options.Count > 0 ? r.Options[0] : new OptionResultView(0, "同意", 0, 0);
        var lines = new List<string>();
        if (r.Rule == "simple")
        {
            var over = 2L * motion.Voters > p.Voters;
            lines.Add($"简单多数：“{motion.Text}” {motion.Voters} 票，{(over ? "超过" : "未超过")}投票人数 {p.Voters} 的一半。");
            return lines;
        }

        var headsOk = 3L * p.Voters >= 2L * p.VotersTotal;
        var areaOk = 3m * p.AreaM2 >= 2m * p.AreaTotalM2;
        lines.Add($"参与表决 {p.Voters} / {p.VotersTotal} 人（{(headsOk ? "达到" : "未达到")}三分之二），" +
                  $"面积 {M2(p.AreaM2)} / {M2(p.AreaTotalM2)} m²（{(areaOk ? "达到" : "未达到")}三分之二）。");
        if (!p.QuorumMet)
        {
            lines.Add("参与表决的业主未达到专有部分面积和人数“双三分之二”，表决不能形成决定。");
            return lines;
        }

        var major = r.Rule == "art278_major";
        var bound = major ? "四分之三以上" : "过半数";
        bool Meets(decimal part, decimal whole) => major ? 4m * part >= 3m * whole : 2m * part > whole;
        var heads = Meets(motion.Voters, p.Voters);
        var area = Meets(motion.AreaM2, p.AreaM2);
        lines.Add($"“{motion.Text}” {motion.Voters} / {p.Voters} 人（{(heads ? "达到" : "未达到")}参与人数的{bound}），" +
                  $"面积 {M2(motion.AreaM2)} / {M2(p.AreaM2)} m²（{(area ? "达到" : "未达到")}参与面积的{bound}）。");
        return lines;
    }

    public static string Verdict(ResultsView r) =>
        r.Passed ? "表决通过" : !r.Participation.QuorumMet ? "未通过：参与不足“双三分之二”" : "未通过：同意票未达到规定比例";

    private static string M2(decimal m2) => m2.ToString("0.00", CultureInfo.InvariantCulture);
}
