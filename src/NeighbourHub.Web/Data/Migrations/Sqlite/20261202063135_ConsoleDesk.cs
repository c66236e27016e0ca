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

            // Residents who bound a phone before the column existed: search by the last four digits finds them too.
            migrationBuilder.Sql(@"UPDATE ""Residents"" SET ""PhoneTail"" = substr(""PhoneNumber"", -4) WHERE length(""PhoneNumber"") >= 4;");

            migrationBuilder.AddColumn<string>(
                name: "ContactPhone",
                table: "Repairs",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RecordedById",
                table: "Repairs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReporterName",
                table: "Repairs",
                type: "TEXT",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "OriginalAmountFen",
                table: "Bills",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StaffNote",
                table: "Bills",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "VoidedAt",
                table: "Bills",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Residents_PhoneTail",
                table: "Residents",
                column: "PhoneTail");

            migrationBuilder.CreateIndex(
                name: "IX_Residences_RealName",
                table: "Residences",
                column: "RealName");

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_Dashboard",
                table: "Repairs",
                columns: new[] { "EstateId", "CreatedAt", "Status", "DeadlineAt", "ResolvedAt", "Stars", "ReporterId", "HouseholdId" });

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_RecordedById",
                table: "Repairs",
                column: "RecordedById");

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_Resolved",
                table: "Repairs",
                columns: new[] { "EstateId", "ResolvedAt", "Status", "ReporterId", "HouseholdId" });

            migrationBuilder.CreateIndex(
                name: "IX_Households_EstateId_Room",
                table: "Households",
                columns: new[] { "EstateId", "Room" });

            migrationBuilder.CreateIndex(
                name: "IX_Bills_EstateId_Status_DueDate_AmountFen",
                table: "Bills",
                columns: new[] { "EstateId", "Status", "DueDate", "AmountFen" });

            migrationBuilder.AddForeignKey(
                name: "FK_Repairs_AdminUsers_RecordedById",
                table: "Repairs",
                column: "RecordedById",
                principalTable: "AdminUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Repairs_AdminUsers_RecordedById",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Residents_PhoneTail",
                table: "Residents");

            migrationBuilder.DropIndex(
                name: "IX_Residences_RealName",
                table: "Residences");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_Dashboard",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_RecordedById",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_Resolved",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Households_EstateId_Room",
                table: "Households");

            migrationBuilder.DropIndex(
                name: "IX_Bills_EstateId_Status_DueDate_AmountFen",
                table: "Bills");

            migrationBuilder.DropColumn(
                name: "PhoneTail",
                table: "Residents");

            migrationBuilder.DropColumn(
                name: "ContactPhone",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "RecordedById",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "ReporterName",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "OriginalAmountFen",
                table: "Bills");

            migrationBuilder.DropColumn(
                name: "StaffNote",
                table: "Bills");

            migrationBuilder.DropColumn(
                name: "VoidedAt",
                table: "Bills");
        }
    }
}
