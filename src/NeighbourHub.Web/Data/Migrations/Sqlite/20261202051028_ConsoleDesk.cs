using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ConsoleDesk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PhoneTail",
                table: "Residents",
                type: "TEXT",
                maxLength: 4,
                nullable: true);

            // Numbers bound before the column existed get their tail too: staff search by it (Resident.PhoneTail).
            migrationBuilder.Sql(@"UPDATE ""Residents"" SET ""PhoneTail"" = substr(""PhoneNumber"", -4) WHERE length(""PhoneNumber"") >= 4;");

            migrationBuilder.CreateIndex(
                name: "IX_Residents_PhoneTail",
                table: "Residents",
                column: "PhoneTail");

            migrationBuilder.CreateIndex(
                name: "IX_Residences_RealName",
                table: "Residences",
                column: "RealName");

            migrationBuilder.CreateIndex(
                name: "IX_Households_EstateId_Room",
                table: "Households",
                columns: new[] { "EstateId", "Room" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Residents_PhoneTail",
                table: "Residents");

            migrationBuilder.DropIndex(
                name: "IX_Residences_RealName",
                table: "Residences");

            migrationBuilder.DropIndex(
                name: "IX_Households_EstateId_Room",
                table: "Households");

            migrationBuilder.DropColumn(
                name: "PhoneTail",
                table: "Residents");
        }
    }
}
