// 
// THIS FILE HAS BEEN GENERATED AUTOMATICALLY
// DO NOT CHANGE IT MANUALLY UNLESS YOU KNOW WHAT YOU'RE DOING
// 
// GENERATED USING @colyseus/schema 5.0.34
// 

namespace Kobot.Schema {
	public partial class ChatLine : global::Colyseus.Schema.Schema {
#if UNITY_5_3_OR_NEWER
		[global::UnityEngine.Scripting.Preserve]
#endif
		public ChatLine() { }

		[global::Colyseus.Schema.Type(0, "string")]
		public string id = "";

		[global::Colyseus.Schema.Type(1, "string")]
		public string kind = "player";

		[global::Colyseus.Schema.Type(2, "string")]
		public string from = "";

		[global::Colyseus.Schema.Type(3, "string")]
		public string name = "";

		[global::Colyseus.Schema.Type(4, "string")]
		public string text = "";

		[global::Colyseus.Schema.Type(5, "number")]
		public double ts = 0;

		[global::Colyseus.Schema.Type(6, "string")]
		public string replyTo = "";
	}
}
